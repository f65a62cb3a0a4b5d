// Types of prep-format.mjs for the TypeScript tests (tsconfig has no allowJs).
export const FORMAT_VERSION: 1;
export const MAX_IMAGES_PER_SHARD: number;
export const MNIST_CLASSES: string[];
export const CIFAR10_CLASSES: string[];

export interface Idx {
  dims: number[];
  data: Uint8Array;
}
export function parseIdx(bytes: Uint8Array, what: string): Idx;

export interface SplitData {
  count: number;
  height: number;
  width: number;
  images: Uint8Array;
  labels: Uint8Array;
}
export function mnistSplit(imagesIdx: Uint8Array, labelsIdx: Uint8Array, what: string): SplitData;

/** The fields of fast-png's DecodedPng that the conversion reads. */
export interface SpritePng {
  width: number;
  height: number;
  channels: number;
  depth: number;
  data: ArrayLike<number> & { subarray(start: number, end?: number): ArrayLike<number> };
  palette?: unknown;
}
export function cifarSpriteToImages(
  png: SpritePng,
  geometry: { count: number; height: number; width: number },
  what: string,
): Uint8Array;
export function parseCifarLabels(text: string, expectedCount: number, what: string): Uint8Array;

export interface Part {
  images: Uint8Array;
  labels: Uint8Array;
}
export function chunkSplit(
  images: Uint8Array,
  labels: Uint8Array,
  imageSize: number,
  max?: number,
): Part[];

export interface EncodedShard {
  count: number;
  sha256: string;
  gz: Uint8Array;
}
export function encodeShard(
  images: Uint8Array,
  labels: Uint8Array,
  imageSize: number,
): EncodedShard;

export interface DatasetMeta {
  name: string;
  height: number;
  width: number;
  channels: number;
  classNames: string[];
}
export interface ShardEntry {
  file: string;
  count: number;
  sha256: string;
}
export function buildManifest(
  meta: DatasetMeta & { splits: { train: ShardEntry[]; test: ShardEntry[] } },
): unknown;
