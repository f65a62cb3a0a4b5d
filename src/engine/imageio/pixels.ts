// Model space [−1, 1] → image space [0, 1]: the inverse of the data pipeline's x·2 − 1.

/** x/2 + 0.5 clipped to [0, 1], as a new array. */
export function toUnitInterval(x: Float32Array): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = Math.min(1, Math.max(0, x[i] * 0.5 + 0.5));
  return out;
}
