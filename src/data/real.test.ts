// Checks the real prepared files (public/data), as `npm run prepare-data` writes them. These fail
// rather than skip when the files are missing: without data the app is broken.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadDataset, loadManifest, type Dataset } from './dataset';
import { fsSource } from './fsSource';

const root = fileURLToPath(new URL('../../public/data', import.meta.url));
const source = fsSource(root);

function requirePrepared(name: string) {
  if (!existsSync(`${root}/${name}/manifest.json`)) {
    throw new Error(`public/data/${name} is missing: run \`npm run prepare-data\` first`);
  }
}

/** Every class holds 7-13% of the images (MNIST and CIFAR-10 are close to balanced). */
function expectBalanced(ds: Dataset) {
  const histogram = new Array<number>(ds.classNames.length).fill(0);
  for (const l of ds.labels) histogram[l]++;
  for (const n of histogram) {
    expect(n / ds.count).toBeGreaterThan(0.07);
    expect(n / ds.count).toBeLessThan(0.13);
  }
}

function pixelRange(ds: Dataset): [number, number] {
  let min = 255;
  let max = 0;
  for (const p of ds.images) {
    if (p < min) min = p;
    if (p > max) max = p;
  }
  return [min, max];
}

describe('real MNIST', () => {
  it('train: 60000 images, first label 5, balanced, pixels 0..255', async () => {
    requirePrepared('mnist');
    const ds = await loadDataset(source, 'mnist', 'train');
    expect([ds.count, ds.height, ds.width, ds.channels]).toEqual([60_000, 28, 28, 1]);
    expect(ds.images.length).toBe(60_000 * 28 * 28);
    expect(ds.labels[0]).toBe(5); // the well-known first MNIST training digit
    expect(ds.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expectBalanced(ds);
    expect(pixelRange(ds)).toEqual([0, 255]);
  });

  it('test: 10000 images, first label 7', async () => {
    requirePrepared('mnist');
    const ds = await loadDataset(source, 'mnist', 'test');
    expect(ds.count).toBe(10_000);
    expect(ds.labels[0]).toBe(7);
    expectBalanced(ds);
  });
});

describe('real CIFAR-10', () => {
  it('manifest: 5 train shards of 10000, 1 test shard', async () => {
    requirePrepared('cifar10');
    const m = await loadManifest(source, 'cifar10');
    expect(m.splits.train.count).toBe(50_000);
    expect(m.splits.train.shards.map((s) => s.count)).toEqual([
      10_000, 10_000, 10_000, 10_000, 10_000,
    ]);
    expect(m.splits.test.count).toBe(10_000);
    expect(m.classNames).toEqual([
      'airplane',
      'automobile',
      'bird',
      'cat',
      'deer',
      'dog',
      'frog',
      'horse',
      'ship',
      'truck',
    ]);
  });

  it('train: 50000 32x32 RGB images, first is a frog', async () => {
    requirePrepared('cifar10');
    const ds = await loadDataset(source, 'cifar10', 'train');
    expect([ds.count, ds.height, ds.width, ds.channels]).toEqual([50_000, 32, 32, 3]);
    expect(ds.classNames[ds.labels[0]]).toBe('frog');
    expectBalanced(ds);
    expect(pixelRange(ds)).toEqual([0, 255]);
  });

  it('test: 10000 images, first is a cat with known top-left pixels', async () => {
    requirePrepared('cifar10');
    const ds = await loadDataset(source, 'cifar10', 'test');
    expect(ds.count).toBe(10_000);
    expect(ds.classNames[ds.labels[0]]).toBe('cat');
    // RGB of pixels (0,0) and (0,1) of the original CIFAR-10 test image 0: checks NHWC order.
    expect(Array.from(ds.images.subarray(0, 6))).toEqual([158, 112, 49, 159, 111, 47]);
    expectBalanced(ds);
  });
});
