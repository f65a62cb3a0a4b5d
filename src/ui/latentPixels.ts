// The latent of one image as small single-channel images, so a 7x7x4 latent shows as four 7x7
// greyscale tiles (NHWC in, [c, h, w, 1] out). Plain arrays, no tfjs.

/** Channels of image `index` of a batch of [n, h, w, c] latents, as c images [h, w, 1]. */
export function latentChannels(
  z: Float32Array,
  index: number,
  [h, w, c]: readonly [number, number, number],
): Float32Array {
  const per = h * w * c;
  if (index < 0 || (index + 1) * per > z.length) {
    throw new RangeError(`latent ${index} is outside the batch of ${z.length / per}`);
  }
  const out = new Float32Array(per);
  const base = index * per;
  for (let p = 0; p < h * w; p++) {
    for (let k = 0; k < c; k++) out[k * h * w + p] = z[base + p * c + k];
  }
  return out;
}

/** Scientific notation for FLOP counts: 1.7e7 → "17.0 M". */
export function formatFlops(f: number): string {
  if (f >= 1e9) return `${(f / 1e9).toFixed(2)} G`;
  if (f >= 1e6) return `${(f / 1e6).toFixed(1)} M`;
  return `${(f / 1e3).toFixed(1)} k`;
}
