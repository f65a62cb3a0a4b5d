import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError } from './errors';
import { fsSource } from './fsSource';
import { fetchSource, type FetchLike } from './source';

const base = 'http://localhost:5173/data/';

function fakeFetch(files: Record<string, Response | Error>): FetchLike {
  return async (url) => {
    const answer = files[url];
    if (answer instanceof Error) throw answer;
    return answer ?? new Response('not found', { status: 404 });
  };
}

describe('fetchSource', () => {
  it('reads JSON and bytes relative to the base URL', async () => {
    const src = fetchSource(
      'http://localhost:5173/data',
      fakeFetch({
        [`${base}mnist/manifest.json`]: Response.json({ a: 1 }),
        [`${base}mnist/x.bin.gz`]: new Response(new Uint8Array([1, 2, 3])),
      }),
    );
    expect(src.describe('mnist/manifest.json')).toBe(`${base}mnist/manifest.json`);
    expect(await src.readJson('mnist/manifest.json')).toEqual({ a: 1 });
    expect(Array.from(await src.readBytes('mnist/x.bin.gz'))).toEqual([1, 2, 3]);
  });

  const failures: [string, Response | Error, RegExp][] = [
    [
      'a 404',
      new Response('nope', { status: 404 }),
      /file not found: the prepared data is missing/,
    ],
    ['a network error', new TypeError('fetch failed'), /could not download \(fetch failed\)/],
    ['a server error', new Response('', { status: 500 }), /HTTP 500/],
    [
      'an SPA fallback page',
      new Response('<html>', { headers: { 'content-type': 'text/html' } }),
      /HTML page/,
    ],
    ['broken JSON', new Response('{"a":'), /not valid JSON/],
  ];
  it.each(failures)('turns %s into a DataError naming URL and fix', async (_, answer, text) => {
    const url = `${base}mnist/manifest.json`;
    const src = fetchSource(base, fakeFetch({ [url]: answer }));
    const p = src.readJson('mnist/manifest.json');
    await expect(p).rejects.toBeInstanceOf(DataError);
    await expect(p).rejects.toThrow(text);
    await expect(p).rejects.toThrow(`${url}: `);
    await expect(p).rejects.toThrow('npm run prepare-data');
  });
});

describe('fsSource', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fs-source-'));
    await writeFile(join(dir, 'm.json'), '{"b":2}');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads files below its folder', async () => {
    expect(await fsSource(dir).readJson('m.json')).toEqual({ b: 2 });
  });

  it('reports a missing file as missing prepared data', async () => {
    const p = fsSource(dir).readBytes('mnist/manifest.json');
    await expect(p).rejects.toBeInstanceOf(DataError);
    await expect(p).rejects.toThrow(/mnist.manifest\.json: file not found.*npm run prepare-data/);
  });
});
