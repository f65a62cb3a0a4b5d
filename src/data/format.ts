// The prepared data format, shared by the browser (Worker + fetch) and Node (fs):
//   public/data/<name>/manifest.json        - a Manifest (below)
//   public/data/<name>/<split>-<k>.bin.gz   - gzip of [count*h*w*c uint8 pixels (NHWC), count uint8 labels]
// Shards hold at most MAX_IMAGES_PER_SHARD images so that no file exceeds ~30 MB (static hosts
// such as GitHub Pages limit file sizes). scripts/prep-format.mjs writes this format.
import { DataError } from './errors';

export const FORMAT_VERSION = 1;
export const MAX_IMAGES_PER_SHARD = 10_000;
export const DATASET_NAMES = ['mnist', 'cifar10'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];
export const SPLITS = ['train', 'test'] as const;
export type Split = (typeof SPLITS)[number];

export interface ShardInfo {
  /** File name relative to the data set's folder, e.g. 'train-0.bin.gz'. */
  file: string;
  count: number;
  /** Hex SHA-256 of the *uncompressed* payload, so it holds even if a host un-gzips in transit. */
  sha256?: string;
}

export interface SplitInfo {
  count: number;
  shards: ShardInfo[];
}

export interface Manifest {
  formatVersion: typeof FORMAT_VERSION;
  name: DatasetName;
  height: number;
  width: number;
  channels: number;
  classNames: string[];
  splits: Record<Split, SplitInfo>;
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isPositiveInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0;
}

/** Checks untrusted JSON against the Manifest shape; returns a clean copy or throws DataError. */
export function validateManifest(json: unknown, file = 'manifest.json'): Manifest {
  const fail = (problem: string): never => {
    throw new DataError(file, `invalid manifest: ${problem}`);
  };
  const positiveInt = (obj: Json, key: string, where: string): number => {
    const v = obj[key];
    if (!isPositiveInt(v))
      fail(`${where}${key} must be a positive integer (got ${JSON.stringify(v)})`);
    return v as number;
  };

  if (!isObject(json)) return fail('expected a JSON object');
  if (json.formatVersion !== FORMAT_VERSION) {
    fail(
      `formatVersion is ${JSON.stringify(json.formatVersion)}, this app reads ${FORMAT_VERSION}`,
    );
  }
  const name = json.name;
  if (!DATASET_NAMES.includes(name as DatasetName)) {
    fail(`name must be one of ${DATASET_NAMES.join(', ')} (got ${JSON.stringify(name)})`);
  }
  const height = positiveInt(json, 'height', '');
  const width = positiveInt(json, 'width', '');
  const channels = positiveInt(json, 'channels', '');
  if (channels > 4) fail(`channels must be 1 to 4 (got ${channels})`);

  const classNames = json.classNames;
  // Labels are stored as uint8, hence at most 256 classes.
  if (!Array.isArray(classNames) || classNames.length < 2 || classNames.length > 256) {
    fail('classNames must be an array of 2 to 256 names');
  }
  const names = classNames as unknown[];
  if (!names.every((c) => typeof c === 'string' && c.length > 0)) {
    fail('classNames must all be non-empty strings');
  }

  if (!isObject(json.splits)) return fail('splits must be an object with train and test');
  const splits = {} as Record<Split, SplitInfo>;
  for (const split of SPLITS) {
    const s = json.splits[split];
    const where = `splits.${split}.`;
    if (!isObject(s)) return fail(`${where.slice(0, -1)} is missing`);
    const count = positiveInt(s, 'count', where);
    if (!Array.isArray(s.shards) || s.shards.length === 0) {
      return fail(`${where}shards must be a non-empty array`);
    }
    const shards = s.shards.map((sh: unknown, k: number): ShardInfo => {
      const at = `${where}shards[${k}].`;
      if (!isObject(sh)) return fail(`${at.slice(0, -1)} must be an object`);
      // Plain file names only: a manifest must not point outside its folder.
      if (typeof sh.file !== 'string' || !/^[\w.-]+$/.test(sh.file) || sh.file.startsWith('.')) {
        fail(`${at}file must be a plain file name (got ${JSON.stringify(sh.file)})`);
      }
      const n = positiveInt(sh, 'count', at);
      if (n > MAX_IMAGES_PER_SHARD) fail(`${at}count ${n} exceeds ${MAX_IMAGES_PER_SHARD}`);
      const info: ShardInfo = { file: sh.file as string, count: n };
      if (sh.sha256 !== undefined) {
        if (typeof sh.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sh.sha256)) {
          fail(`${at}sha256 must be 64 lowercase hex digits`);
        }
        info.sha256 = sh.sha256 as string;
      }
      return info;
    });
    const sum = shards.reduce((acc, sh) => acc + sh.count, 0);
    if (sum !== count) fail(`${where}count is ${count} but its shards hold ${sum} images`);
    splits[split] = { count, shards };
  }

  return {
    formatVersion: FORMAT_VERSION,
    name: name as DatasetName,
    height,
    width,
    channels,
    classNames: [...(names as string[])],
    splits,
  };
}

export interface DecodedShard {
  /** count*imageSize bytes, NHWC. A view into the input, not a copy. */
  images: Uint8Array;
  /** count bytes, one class index per image. A view into the input. */
  labels: Uint8Array;
}

/**
 * Splits an uncompressed shard into images and labels, checking its length and label range.
 * imageSize is h*w*c bytes.
 */
export function decodeShard(
  bytes: Uint8Array,
  expectedCount: number,
  imageSize: number,
  numClasses: number,
  file = 'shard',
): DecodedShard {
  const expected = expectedCount * (imageSize + 1);
  if (bytes.length !== expected) {
    const what = bytes.length < expected ? 'truncated' : 'too long';
    throw new DataError(
      file,
      `shard is ${what}: ${bytes.length} bytes, expected ${expected} ` +
        `(${expectedCount} images of ${imageSize} bytes + ${expectedCount} labels)`,
    );
  }
  const images = bytes.subarray(0, expectedCount * imageSize);
  const labels = bytes.subarray(expectedCount * imageSize);
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] >= numClasses) {
      throw new DataError(
        file,
        `label ${labels[i]} of image ${i} is out of range (the data set has ${numClasses} classes)`,
      );
    }
  }
  return { images, labels };
}
