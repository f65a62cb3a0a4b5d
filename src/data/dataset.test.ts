// Round trip: the script's writer (scripts/prep-io.mjs) -> files -> this reader, plus every way
// a prepared folder can be broken.
import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDataset } from '../../scripts/prep-io.mjs';
import { firstImages, getImage, loadDataset, sampleBatch, toFloatImage } from './dataset';
import { DataError } from './errors';
import { fsSource } from './fsSource';
import { fetchSource, type DataSource } from './source';

const H = 2;
const W = 3;
const C = 3;
const SIZE = H * W * C;
const TRAIN = 25_000; // three shards: 10000 + 10000 + 5000
const TEST = 7;

const pixels = (n: number, seed: number) =>
  Uint8Array.from({ length: n * SIZE }, (_, i) => (i * 31 + seed) % 256);
const labels = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7) % 10);

let root: string;
const trainImages = pixels(TRAIN, 1);
const trainLabels = labels(TRAIN);

async function writeSet(dir: string) {
  const meta = {
    name: 'cifar10',
    height: H,
    width: W,
    channels: C,
    classNames: 'abcdefghij'.split(''),
  };
  const splits = {
    train: [{ images: trainImages, labels: trainLabels }],
    test: [{ images: pixels(TEST, 2), labels: labels(TEST) }],
  };
  await writeDataset(join(dir, 'cifar10'), meta, splits, 'unit-test');
}

/** A source that counts reads, to check that `limit` loads only the shards it needs. */
function counting(src: DataSource) {
  const reads: string[] = [];
  return { reads, source: { ...src, readBytes: (p: string) => (reads.push(p), src.readBytes(p)) } };
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'dataset-'));
  await writeSet(root);
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('loadDataset', () => {
  it('loads a whole split written by the prepare script', async () => {
    const ds = await loadDataset(fsSource(root), 'cifar10', 'train');
    expect(ds).toMatchObject({ name: 'cifar10', split: 'train', height: H, width: W, channels: C });
    expect(ds.count).toBe(TRAIN);
    expect(ds.images).toEqual(trainImages);
    expect(ds.labels).toEqual(trainLabels);
    expect(ds.classNames).toHaveLength(10);
  });

  it('loads only the shards needed for a limit', async () => {
    const { reads, source } = counting(fsSource(root));
    const ds = await loadDataset(source, 'cifar10', 'train', { limit: 10_001 });
    expect(reads).toEqual(['cifar10/train-0.bin.gz', 'cifar10/train-1.bin.gz']);
    expect(ds.count).toBe(10_001);
    expect(ds.images).toEqual(trainImages.subarray(0, 10_001 * SIZE));
    expect(ds.labels).toEqual(trainLabels.subarray(0, 10_001));
  });

  it('reports progress per shard', async () => {
    const seen: number[] = [];
    await loadDataset(fsSource(root), 'cifar10', 'train', { onProgress: (n) => seen.push(n) });
    // Shards finish in any order, but the loaded count only grows.
    expect(seen).toHaveLength(3);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    expect(seen[2]).toBe(TRAIN);
  });

  it('accepts shards a host already un-gzipped in transit', async () => {
    const fs = fsSource(root);
    const url = (p: string) => `http://h/data/${p}`;
    const fetchImpl = async (u: string) => {
      const path = u.slice(url('').length);
      const bytes = await fs.readBytes(path);
      if (!path.endsWith('.gz')) return new Response(bytes as Uint8Array<ArrayBuffer>);
      const { gunzipSync } = await import('node:zlib');
      return new Response(new Uint8Array(gunzipSync(bytes)));
    };
    const ds = await loadDataset(fetchSource(url(''), fetchImpl), 'cifar10', 'test');
    expect(ds.count).toBe(TEST);
  });

  it('rejects a bad limit and an unknown data set', async () => {
    await expect(loadDataset(fsSource(root), 'cifar10', 'test', { limit: 0 })).rejects.toThrow(
      RangeError,
    );
    await expect(loadDataset(fsSource(root), 'svhn', 'test')).rejects.toThrow(
      /unknown data set 'svhn'/,
    );
  });
});

describe('loadDataset on broken folders', () => {
  let dir: string;
  const file = (name: string) => join(dir, 'cifar10', name);
  let shard: string;
  let manifestFile: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'broken-'));
    shard = file('test-0.bin.gz');
    manifestFile = file('manifest.json');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  async function expectDataError(text: RegExp, fileName: string) {
    const p = loadDataset(fsSource(dir), 'cifar10', 'test');
    await expect(p).rejects.toBeInstanceOf(DataError);
    await expect(p).rejects.toThrow(text);
    await expect(p).rejects.toThrow(fileName);
    await expect(p).rejects.toThrow('To fix, run `npm run prepare-data`');
  }
  async function rewriteTest(payload: Uint8Array, count = TEST) {
    await writeSet(dir);
    await writeFile(shard, gzipSync(payload));
    // No sha256: these cases are about what the hash would otherwise catch first.
    const m = JSON.parse(await readFile(manifestFile, 'utf8'));
    m.splits.test = { count, shards: [{ file: 'test-0.bin.gz', count }] };
    await writeFile(manifestFile, JSON.stringify(m));
  }

  it('missing folder', async () => {
    await expectDataError(/file not found: the prepared data is missing/, 'manifest.json');
  });

  it('bad manifest', async () => {
    await writeSet(dir);
    await writeFile(manifestFile, JSON.stringify({ formatVersion: 9 }));
    await expectDataError(/invalid manifest: formatVersion is 9/, 'manifest.json');
  });

  it('manifest of another data set', async () => {
    await writeSet(dir);
    const m = JSON.parse(await readFile(manifestFile, 'utf8'));
    await writeFile(manifestFile, JSON.stringify({ ...m, name: 'mnist' }));
    await expectDataError(/manifest is for 'mnist', not 'cifar10'/, 'manifest.json');
  });

  it('missing shard', async () => {
    await writeSet(dir);
    await rm(shard);
    await expectDataError(/file not found/, 'test-0.bin.gz');
  });

  it('corrupt gzip', async () => {
    await writeSet(dir);
    const gz = await readFile(shard);
    gz.fill(0xaa, 15, 40);
    await writeFile(shard, gz);
    await expectDataError(/corrupt or truncated gzip data/, 'test-0.bin.gz');
  });

  it('truncated gzip file', async () => {
    await writeSet(dir);
    const gz = await readFile(shard);
    await writeFile(shard, gz.subarray(0, gz.length >> 1));
    await expectDataError(/corrupt or truncated gzip data/, 'test-0.bin.gz');
  });

  it('checksum mismatch (valid gzip, other content)', async () => {
    await writeSet(dir);
    const other = new Uint8Array(TEST * (SIZE + 1));
    await writeFile(shard, gzipSync(other));
    await expectDataError(/checksum mismatch/, 'test-0.bin.gz');
  });

  it('truncated shard payload', async () => {
    await rewriteTest(new Uint8Array(TEST * (SIZE + 1) - 1));
    await expectDataError(/shard is truncated/, 'test-0.bin.gz');
  });

  it('label out of range', async () => {
    const payload = new Uint8Array(TEST * (SIZE + 1));
    payload[TEST * SIZE + 3] = 10;
    await rewriteTest(payload);
    await expectDataError(/label 10 of image 3 is out of range/, 'test-0.bin.gz');
  });
});

describe('image helpers', () => {
  const ds = {
    name: 'mnist' as const,
    split: 'test' as const,
    height: 1,
    width: 2,
    channels: 1,
    classNames: ['a', 'b'],
    count: 3,
    images: Uint8Array.from([0, 255, 51, 204, 128, 1]),
    labels: Uint8Array.from([1, 0, 1]),
  };

  it('getImage returns a view of one image', () => {
    expect(Array.from(getImage(ds, 1))).toEqual([51, 204]);
    expect(() => getImage(ds, 3)).toThrow(RangeError);
    expect(() => getImage(ds, -1)).toThrow(RangeError);
  });

  it('toFloatImage scales 0..255 to -1..1', () => {
    const f = toFloatImage(ds, 0);
    expect(f).toBeInstanceOf(Float32Array);
    expect(Array.from(f)).toEqual([-1, 1]);
    expect(toFloatImage(ds, 1)[0]).toBeCloseTo(2 * (51 / 255) - 1, 6);
  });

  it('sampleBatch stacks images NHWC with labels', () => {
    const b = sampleBatch(ds, [2, 0]);
    expect(b.shape).toEqual([2, 1, 2, 1]);
    expect(b.images[2]).toBe(-1);
    expect(b.images[3]).toBe(1);
    expect(b.images[0]).toBeCloseTo(2 * (128 / 255) - 1, 6);
    expect(Array.from(b.labels)).toEqual([1, 1]);
    expect(b.labels).toBeInstanceOf(Int32Array);
    expect(() => sampleBatch(ds, [5])).toThrow(RangeError);
  });

  it('firstImages keeps the first n images and labels as views', () => {
    const two = firstImages(ds, 2);
    expect(two.count).toBe(2);
    expect(Array.from(two.images)).toEqual([0, 255, 51, 204]);
    expect(Array.from(two.labels)).toEqual([1, 0]);
    expect(two.images.buffer).toBe(ds.images.buffer);
    expect(() => getImage(two, 2)).toThrow(RangeError);
    expect(firstImages(ds, 10)).toBe(ds);
    expect(() => firstImages(ds, 0)).toThrow(RangeError);
    expect(() => firstImages(ds, 1.5)).toThrow(RangeError);
  });
});
