// Derived pixel maps for display (pure, no tfjs): the guidance direction ε_c − ε_u, and a per-image
// contrast stretch of x_t. They change only how numbers are shown, never the sampler's state.

/** ε_c − ε_u, the direction classifier-free guidance amplifies (Ho & Salimans 2022, eq. 6). */
export function difference(a: Float32Array, b: Float32Array): Float32Array {
  if (a.length !== b.length) throw new Error(`difference: lengths ${a.length} and ${b.length}`);
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] - b[i];
  return out;
}

/** The largest |value| (0 for an empty or all-zero array): a symmetric display range ±maxAbs. */
export function maxAbs(a: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/**
 * Each image mapped linearly from its own [min, max] onto [−1, 1] (a constant image maps to 0).
 * x_t at large t lies mostly outside [−1, 1]; clipped it looks like pure noise even when x̂₀
 * already shows the digit, stretched its structure shows.
 */
export function stretchPerImage(data: Float32Array, imageSize: number): Float32Array {
  if (imageSize <= 0 || data.length % imageSize !== 0) {
    throw new Error(`stretchPerImage: ${data.length} values are not whole images of ${imageSize}`);
  }
  const out = new Float32Array(data.length);
  for (let start = 0; start < data.length; start += imageSize) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = start; i < start + imageSize; i++) {
      lo = Math.min(lo, data[i]);
      hi = Math.max(hi, data[i]);
    }
    const span = hi - lo;
    for (let i = start; i < start + imageSize; i++) {
      out[i] = span > 0 ? ((data[i] - lo) / span) * 2 - 1 : 0;
    }
  }
  return out;
}
