// Pure logic of scripts/prepare-data.mjs: parse the sources (MNIST IDX, CIFAR-10 PNG sprites) and
// encode shards in the format that src/data/format.ts reads. Plain JS so that it runs at
// postinstall without tsx; typed for the tests by prep-format.d.mts.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

export const FORMAT_VERSION = 1;
export const MAX_IMAGES_PER_SHARD = 10_000;
export const MNIST_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
export const CIFAR10_CLASSES = [
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
];

/** Parses an IDX file of unsigned bytes (type 0x08): { dims, data }. `what` names it in errors. */
export function parseIdx(bytes, what) {
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) {
    throw new Error(`${what}: not an IDX file (bad magic number)`);
  }
  if (bytes[2] !== 0x08)
    throw new Error(`${what}: IDX element type ${bytes[2]}, expected 8 (ubyte)`);
  const ndims = bytes[3];
  const header = 4 + 4 * ndims;
  if (ndims === 0 || bytes.length < header) throw new Error(`${what}: truncated IDX header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims = Array.from({ length: ndims }, (_, k) => view.getUint32(4 + 4 * k)); // big-endian
  const size = dims.reduce((a, b) => a * b, 1);
  if (bytes.length !== header + size) {
    throw new Error(
      `${what}: IDX has ${bytes.length - header} data bytes, dims ${dims} need ${size}`,
    );
  }
  return { dims, data: bytes.subarray(header) };
}

/** Checks an MNIST images/labels IDX pair and returns it as one split. */
export function mnistSplit(imagesIdx, labelsIdx, what) {
  const img = parseIdx(imagesIdx, `${what} images`);
  const lab = parseIdx(labelsIdx, `${what} labels`);
  if (img.dims.length !== 3) throw new Error(`${what} images: expected 3 dims, got ${img.dims}`);
  if (lab.dims.length !== 1) throw new Error(`${what} labels: expected 1 dim, got ${lab.dims}`);
  const [count, height, width] = img.dims;
  if (lab.dims[0] !== count) {
    throw new Error(`${what}: ${count} images but ${lab.dims[0]} labels`);
  }
  checkLabels(lab.data, MNIST_CLASSES.length, `${what} labels`);
  return { count, height, width, images: img.data, labels: lab.data };
}

function checkLabels(labels, numClasses, what) {
  const bad = labels.findIndex((l) => l >= numClasses);
  if (bad >= 0) throw new Error(`${what}: label ${labels[bad]} at ${bad} is not a class index`);
}

/**
 * Turns a decoded CIFAR-10 sprite (fast-png's decode output) into NHWC RGB bytes. The sprite has
 * one image per row: pixel p of image i is at column p, row i, so rows are already NHWC.
 */
export function cifarSpriteToImages(png, { count, height, width }, what) {
  if (png.depth !== 8) throw new Error(`${what}: PNG bit depth ${png.depth}, expected 8`);
  if (png.palette) throw new Error(`${what}: palette PNG, expected RGB`);
  if (png.width !== height * width || png.height !== count) {
    throw new Error(
      `${what}: PNG is ${png.width}x${png.height}, expected ${height * width}x${count} ` +
        `(one ${width}x${height} image per row)`,
    );
  }
  const pixels = count * height * width;
  if (png.channels === 3) return Uint8Array.from(png.data.subarray(0, pixels * 3));
  if (png.channels !== 4)
    throw new Error(`${what}: PNG has ${png.channels} channels, expected 3 or 4`);
  // RGBA: drop alpha.
  const out = new Uint8Array(pixels * 3);
  for (let p = 0; p < pixels; p++) {
    out[3 * p] = png.data[4 * p];
    out[3 * p + 1] = png.data[4 * p + 1];
    out[3 * p + 2] = png.data[4 * p + 2];
  }
  return out;
}

/** Parses a CIFAR labels file (a JSON array of class indices) and checks its length and range. */
export function parseCifarLabels(text, expectedCount, what) {
  let json;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${what}: not valid JSON (${e.message})`, { cause: e });
  }
  if (!Array.isArray(json) || json.length !== expectedCount) {
    throw new Error(`${what}: expected an array of ${expectedCount} labels`);
  }
  if (!json.every((l) => Number.isInteger(l) && l >= 0 && l < CIFAR10_CLASSES.length)) {
    throw new Error(`${what}: labels must be integers 0..${CIFAR10_CLASSES.length - 1}`);
  }
  return Uint8Array.from(json);
}

/** Views of at most `max` images each, in order. */
export function chunkSplit(images, labels, imageSize, max = MAX_IMAGES_PER_SHARD) {
  const chunks = [];
  for (let start = 0; start < labels.length; start += max) {
    const end = Math.min(start + max, labels.length);
    chunks.push({
      images: images.subarray(start * imageSize, end * imageSize),
      labels: labels.subarray(start, end),
    });
  }
  return chunks;
}

/**
 * One shard: gzip of [pixels, labels]. The hash covers the uncompressed payload (see ShardInfo in
 * src/data/format.ts). Level 6 (default): level 9 takes ~20x longer for 2% less.
 */
export function encodeShard(images, labels, imageSize) {
  const count = labels.length;
  if (images.length !== count * imageSize) {
    throw new Error(`shard: ${images.length} pixel bytes for ${count} images of ${imageSize}`);
  }
  const payload = new Uint8Array(images.length + count);
  payload.set(images, 0);
  payload.set(labels, images.length);
  const sha256 = createHash('sha256').update(payload).digest('hex');
  return { count, sha256, gz: new Uint8Array(gzipSync(payload)) };
}

/** The manifest.json object for src/data/format.ts. splits: { train: ShardInfo[], test: ShardInfo[] }. */
export function buildManifest({ name, height, width, channels, classNames, splits }) {
  const split = (shards) => ({
    count: shards.reduce((n, s) => n + s.count, 0),
    shards: shards.map(({ file, count, sha256 }) => ({ file, count, sha256 })),
  });
  return {
    formatVersion: FORMAT_VERSION,
    name,
    height,
    width,
    channels,
    classNames,
    splits: { train: split(splits.train), test: split(splits.test) },
  };
}
