// Fetching the shipped models: URLs beside the page, and a message naming the file for every way
// a download can fail (no network, an HTTP error, a host's HTML "not found" page, bad JSON).
import { describe, expect, it } from 'vitest';
import { CheckpointError } from '../checkpoint';
import {
  fetchPretrained,
  isPretrainedName,
  pretrainedLabel,
  pretrainedUrls,
  type FetchLike,
} from './pretrained';

const BASE = 'https://example.org/class/models/';

function fakeFetch(files: Record<string, { status?: number; body: string } | Error>): FetchLike {
  return async (url) => {
    const f = files[url.slice(BASE.length)];
    if (f === undefined) throw new Error(`unexpected fetch of ${url}`);
    if (f instanceof Error) throw f;
    const status = f.status ?? 200;
    return {
      ok: status >= 200 && status < 300,
      status,
      statusText: status === 404 ? 'Not Found' : '',
      text: async () => f.body,
      arrayBuffer: async () => new TextEncoder().encode(f.body).buffer as ArrayBuffer,
    };
  };
}

async function failure(p: Promise<unknown>): Promise<CheckpointError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  if (!(e instanceof CheckpointError))
    throw new Error(`expected a CheckpointError, got ${String(e)}`);
  return e;
}

describe('pretrained models', () => {
  it('knows its names and where their files are', () => {
    expect(isPretrainedName('mnist-cfg')).toBe(true);
    expect(isPretrainedName('../etc')).toBe(false);
    expect(pretrainedLabel('cifar10-cfg')).toBe('Pretrained CIFAR-10 model');
    expect(pretrainedUrls(BASE, 'mnist-cfg')).toEqual({
      modelJson: `${BASE}mnist-cfg/model.json`,
      weights: `${BASE}mnist-cfg/weights.bin`,
    });
  });

  it('returns the parsed model.json and the weights bytes', async () => {
    const raw = await fetchPretrained(
      BASE,
      'mnist-cfg',
      fakeFetch({
        'mnist-cfg/model.json': { body: '{"a":1}' },
        'mnist-cfg/weights.bin': { body: 'xyz' },
      }),
    );
    expect(raw.modelJson).toEqual({ a: 1 });
    expect(raw.weights.byteLength).toBe(3);
  });

  it('names the file and the reason when a download fails', async () => {
    const ok = { body: '{}' };
    const missing = await failure(
      fetchPretrained(
        BASE,
        'mnist-cfg',
        fakeFetch({
          'mnist-cfg/model.json': ok,
          'mnist-cfg/weights.bin': { status: 404, body: '' },
        }),
      ),
    );
    expect(missing.code).toBe('io');
    expect(missing.message).toContain('mnist-cfg/weights.bin');
    expect(missing.message).toContain('404 Not Found');

    const offline = await failure(
      fetchPretrained(
        BASE,
        'mnist-cfg',
        fakeFetch({
          'mnist-cfg/model.json': new TypeError('Failed to fetch'),
          'mnist-cfg/weights.bin': ok,
        }),
      ),
    );
    expect(offline.message).toContain('could not download mnist-cfg/model.json');
    expect(offline.message).toContain('Failed to fetch');

    const html = await failure(
      fetchPretrained(
        BASE,
        'mnist-cfg',
        fakeFetch({
          'mnist-cfg/model.json': { body: '<!doctype html><html></html>' },
          'mnist-cfg/weights.bin': ok,
        }),
      ),
    );
    expect(html.message).toContain('sent a web page instead');

    const badJson = await failure(
      fetchPretrained(
        BASE,
        'mnist-cfg',
        fakeFetch({ 'mnist-cfg/model.json': { body: '{"a":' }, 'mnist-cfg/weights.bin': ok }),
      ),
    );
    expect(badJson.code).toBe('format');
    expect(badJson.message).toContain('mnist-cfg/model.json is not valid JSON');
  });
});
