// A grid of n same-sized images as one 8-bit PNG (fast-png), for the CLI and for saving samples.
import { encode } from 'fast-png';

export interface GridOptions {
  /** Images per row; default ceil(√n). */
  cols?: number;
  /** Pixels between images and around the border (torchvision make_grid style); default 2. */
  pad?: number;
  /** Byte value of the padding; default 0 (black). */
  padValue?: number;
  /** Input value range mapped linearly onto [0, 255], clipped; default [−1, 1] (model space). */
  range?: [number, number];
}

/** Maps v from [lo, hi] onto 0..255, clipping and rounding to nearest. */
function toByte(v: number, lo: number, hi: number): number {
  const u = Math.round(((v - lo) / (hi - lo)) * 255);
  return u < 0 ? 0 : u > 255 ? 255 : Number.isNaN(u) ? 0 : u;
}

/** images: n·h·w·c float32 in NHWC order; c is 1 (grey), 2 (grey+alpha), 3 (RGB) or 4 (RGBA). */
export function encodePngGrid(
  images: Float32Array,
  n: number,
  h: number,
  w: number,
  c: number,
  opts: GridOptions = {},
): Uint8Array {
  for (const [name, v] of [
    ['n', n],
    ['h', h],
    ['w', w],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be an integer >= 1`);
  }
  if (![1, 2, 3, 4].includes(c)) throw new RangeError(`channels must be 1..4 (got ${c})`);
  if (images.length !== n * h * w * c) {
    throw new RangeError(`expected ${n * h * w * c} values for [${n}, ${h}, ${w}, ${c}]`);
  }
  const cols = opts.cols ?? Math.ceil(Math.sqrt(n));
  const pad = opts.pad ?? 2;
  const [lo, hi] = opts.range ?? [-1, 1];
  if (!Number.isInteger(cols) || cols < 1) throw new RangeError(`cols must be >= 1 (got ${cols})`);
  if (!Number.isInteger(pad) || pad < 0) throw new RangeError(`pad must be >= 0 (got ${pad})`);
  if (!(hi > lo)) throw new RangeError(`range must have hi > lo (got [${lo}, ${hi}])`);
  const rows = Math.ceil(n / cols);
  const width = cols * (w + pad) + pad;
  const height = rows * (h + pad) + pad;
  const data = new Uint8Array(width * height * c).fill(opts.padValue ?? 0);
  for (let k = 0; k < n; k++) {
    const x0 = pad + (k % cols) * (w + pad);
    const y0 = pad + Math.floor(k / cols) * (h + pad);
    for (let y = 0; y < h; y++) {
      const src = (k * h + y) * w * c;
      const dst = ((y0 + y) * width + x0) * c;
      for (let i = 0; i < w * c; i++) data[dst + i] = toByte(images[src + i], lo, hi);
    }
  }
  return encode({ width, height, data, channels: c, depth: 8 });
}
