// Loads one split of a prepared data set into memory and gives images to the model as floats.
import { DataError, errorText } from './errors';
import {
  DATASET_NAMES,
  decodeShard,
  validateManifest,
  type DatasetName,
  type Manifest,
  type ShardInfo,
  type Split,
} from './format';
import { gunzip, isGzip } from './gunzip';
import type { DataSource } from './source';

export interface Dataset {
  name: DatasetName;
  split: Split;
  height: number;
  width: number;
  channels: number;
  classNames: readonly string[];
  /** Number of images loaded (the split's size, or less with `limit`). */
  count: number;
  /** count*height*width*channels bytes, NHWC, 0..255. */
  images: Uint8Array;
  /** count class indices into classNames. */
  labels: Uint8Array;
  /**
   * Optional float examples (count*height*width*channels, NHWC) that sampleBatch returns in place
   * of the 0..255 `images`: the scaled latents a latent diffusion model trains on.
   */
  floats?: Float32Array;
}

export interface LoadOptions {
  /** Load only the first `limit` images (and only the shards they live in). */
  limit?: number;
  /**
   * Check each shard's SHA-256 (default true). It costs ~0.1 s per 60 MB in Node and is skipped
   * where crypto.subtle is missing (browser pages served over plain http from a non-localhost host).
   */
  verify?: boolean;
  /** Called after each shard with images loaded so far and the total to load. */
  onProgress?: (loaded: number, total: number) => void;
}

/** Reads and validates <name>/manifest.json. */
export async function loadManifest(source: DataSource, name: string): Promise<Manifest> {
  const path = `${name}/manifest.json`;
  if (!DATASET_NAMES.includes(name as DatasetName)) {
    throw new DataError(path, `unknown data set '${name}' (known: ${DATASET_NAMES.join(', ')})`);
  }
  const manifest = validateManifest(await source.readJson(path), source.describe(path));
  if (manifest.name !== name) {
    throw new DataError(source.describe(path), `manifest is for '${manifest.name}', not '${name}'`);
  }
  return manifest;
}

async function sha256Hex(bytes: Uint8Array): Promise<string | null> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return null;
  const digest = new Uint8Array(await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

async function loadShard(
  source: DataSource,
  manifest: Manifest,
  shard: ShardInfo,
  verify: boolean,
): Promise<{ images: Uint8Array; labels: Uint8Array }> {
  const path = `${manifest.name}/${shard.file}`;
  const where = source.describe(path);
  const imageSize = manifest.height * manifest.width * manifest.channels;
  const raw = await source.readBytes(path);
  // A host may serve .gz with Content-Encoding: gzip, and fetch then hands us decoded bytes.
  const decodedInTransit = !isGzip(raw) && raw.length === shard.count * (imageSize + 1);
  const bytes = decodedInTransit ? raw : await gunzip(raw, where);
  if (verify && shard.sha256) {
    let actual: string | null;
    try {
      actual = await sha256Hex(bytes);
    } catch (e) {
      throw new DataError(where, `could not compute SHA-256 (${errorText(e)})`, { cause: e });
    }
    if (actual !== null && actual !== shard.sha256) {
      throw new DataError(where, 'checksum mismatch: the file is corrupt or from another version');
    }
  }
  return decodeShard(bytes, shard.count, imageSize, manifest.classNames.length, where);
}

/** Loads a split (all of it, or its first `limit` images), verifying every shard. */
export async function loadDataset(
  source: DataSource,
  name: string,
  split: Split,
  options: LoadOptions = {},
): Promise<Dataset> {
  const manifest = await loadManifest(source, name);
  const info = manifest.splits[split];
  const { limit, verify = true, onProgress } = options;
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) {
    throw new RangeError(`limit must be a positive integer (got ${limit})`);
  }
  const count = Math.min(limit ?? info.count, info.count);
  const imageSize = manifest.height * manifest.width * manifest.channels;

  // Only the shards that hold the first `count` images.
  const needed: { shard: ShardInfo; offset: number }[] = [];
  for (let offset = 0, k = 0; offset < count; offset += info.shards[k].count, k++) {
    needed.push({ shard: info.shards[k], offset });
  }

  const images = new Uint8Array(count * imageSize);
  const labels = new Uint8Array(count);
  let loaded = 0;
  // All at once: downloads overlap, and Node inflates on its thread pool.
  await Promise.all(
    needed.map(async ({ shard, offset }) => {
      const part = await loadShard(source, manifest, shard, verify);
      const n = Math.min(shard.count, count - offset);
      images.set(part.images.subarray(0, n * imageSize), offset * imageSize);
      labels.set(part.labels.subarray(0, n), offset);
      loaded += n;
      onProgress?.(loaded, count);
    }),
  );

  return {
    name: manifest.name,
    split,
    height: manifest.height,
    width: manifest.width,
    channels: manifest.channels,
    classNames: manifest.classNames,
    count,
    images,
    labels,
  };
}

function imageBytes(ds: Dataset): number {
  return ds.height * ds.width * ds.channels;
}

function checkIndex(ds: Dataset, i: number): void {
  if (!Number.isInteger(i) || i < 0 || i >= ds.count) {
    throw new RangeError(`image index must be an integer in [0, ${ds.count - 1}] (got ${i})`);
  }
}

/** Image i as h*w*c bytes (a view into the data set, not a copy). */
export function getImage(ds: Dataset, i: number): Uint8Array {
  checkIndex(ds, i);
  const size = imageBytes(ds);
  return ds.images.subarray(i * size, (i + 1) * size);
}

// x = 2*(p/255) - 1, the DDPM convention: data in [-1, 1] matches the N(0, 1) noise scale.
const TO_FLOAT = Float32Array.from({ length: 256 }, (_, p) => (2 * p) / 255 - 1);

/** Image i as h*w*c floats in [-1, 1]. */
export function toFloatImage(ds: Dataset, i: number): Float32Array {
  const src = getImage(ds, i);
  const out = new Float32Array(src.length);
  for (let j = 0; j < src.length; j++) out[j] = TO_FLOAT[src[j]];
  return out;
}

export interface Batch {
  /** n*h*w*c floats in [-1, 1], NHWC. */
  images: Float32Array;
  labels: Int32Array;
  shape: [number, number, number, number];
}

/** The images at `indices` as one NHWC float batch in [-1, 1], with their labels. */
export function sampleBatch(ds: Dataset, indices: ArrayLike<number>): Batch {
  const size = imageBytes(ds);
  const n = indices.length;
  const images = new Float32Array(n * size);
  const labels = new Int32Array(n);
  for (let b = 0; b < n; b++) {
    const i = indices[b];
    if (ds.floats) {
      checkIndex(ds, i);
      images.set(ds.floats.subarray(i * size, (i + 1) * size), b * size);
    } else {
      const src = getImage(ds, i);
      const base = b * size;
      for (let j = 0; j < size; j++) images[base + j] = TO_FLOAT[src[j]];
    }
    labels[b] = ds.labels[i];
  }
  return { images, labels, shape: [n, ds.height, ds.width, ds.channels] };
}

/** The first `n` images of `ds` (views into its arrays, no copy); all of them when n ≥ count. */
export function firstImages(ds: Dataset, n: number): Dataset {
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`image count must be an integer >= 1 (got ${n})`);
  }
  if (n >= ds.count) return ds;
  const size = imageBytes(ds);
  return {
    ...ds,
    count: n,
    images: ds.images.subarray(0, n * size),
    labels: ds.labels.subarray(0, n),
    ...(ds.floats ? { floats: ds.floats.subarray(0, n * size) } : {}),
  };
}
