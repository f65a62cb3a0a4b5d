// Light augmentation for the judge: random translations of up to ±maxShift pixels, the classic
// MNIST augmentation (Simard et al. 2003 use elastic distortions; shifts alone take a small CNN
// past 99% test accuracy). Pure JS on the host, before the batch becomes a tensor.

/**
 * Shifts each NHWC image by (dy[b], dx[b]) pixels (positive: down / right), filling the
 * uncovered border with `fill` (−1, the background of images scaled to [−1, 1]). Returns a new array.
 */
export function shiftImages(
  x: Float32Array,
  [n, h, w, c]: readonly number[],
  dy: ArrayLike<number>,
  dx: ArrayLike<number>,
  fill = -1,
): Float32Array {
  if (x.length !== n * h * w * c) {
    throw new RangeError(`images have ${x.length} values, expected ${n * h * w * c}`);
  }
  const out = new Float32Array(x.length).fill(fill);
  for (let b = 0; b < n; b++) {
    const sy = dy[b];
    const sx = dx[b];
    for (let row = Math.max(0, sy); row < Math.min(h, h + sy); row++) {
      const src = ((b * h + row - sy) * w + Math.max(0, -sx)) * c;
      const dst = ((b * h + row) * w + Math.max(0, sx)) * c;
      const len = (w - Math.abs(sx)) * c;
      if (len > 0) out.set(x.subarray(src, src + len), dst);
    }
  }
  return out;
}

/** Mirrors the NHWC images b with flip[b] true left-right (the standard CIFAR-10 augmentation). */
export function flipImages(
  x: Float32Array,
  [n, h, w, c]: readonly number[],
  flip: ArrayLike<boolean>,
): Float32Array {
  if (x.length !== n * h * w * c) {
    throw new RangeError(`images have ${x.length} values, expected ${n * h * w * c}`);
  }
  const out = new Float32Array(x);
  for (let b = 0; b < n; b++) {
    if (!flip[b]) continue;
    for (let row = 0; row < h; row++) {
      const base = (b * h + row) * w;
      for (let col = 0; col < w; col++) {
        const src = (base + col) * c;
        out.set(x.subarray(src, src + c), (base + w - 1 - col) * c);
      }
    }
  }
  return out;
}
