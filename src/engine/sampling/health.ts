// Notices samples that mean nothing: a model whose weights are broken (e.g. valid weights scaled
// by 1e18, which pass every format check without a CRC) predicts noise of absurd size, and the
// sampler then returns NaN, infinities or values far outside the data range [−1, 1], drawn as an
// all-black or all-white grid. A healthy ε-model predicts ε ~ N(0, I) (Ho et al. 2020, eq. 14), so
// |ε̂| above EPS_LIMIT or |x| above X_LIMIT cannot come from one. Runs on arrays already read back.

/** No N(0, 1) draw among millions reaches 100σ. */
export const EPS_LIMIT = 100;
/** Data live in [−1, 1]; unclipped x_t of a working model stay within a few units of it. */
export const X_LIMIT = 100;

function scan(a: Float32Array | null): { nonFinite: number; maxAbs: number } {
  let nonFinite = 0;
  let maxAbs = 0;
  if (!a) return { nonFinite, maxAbs };
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (!Number.isFinite(v)) nonFinite++;
    else if (Math.abs(v) > maxAbs) maxAbs = Math.abs(v);
  }
  return { nonFinite, maxAbs };
}

/** One sentence on what is wrong with a sampling step's arrays, or null when they look sane. */
export function samplingWarning(arrays: {
  x: Float32Array;
  eps: Float32Array | null;
  x0Pred: Float32Array | null;
}): string | null {
  const x = scan(arrays.x);
  const eps = scan(arrays.eps);
  const x0 = scan(arrays.x0Pred);
  const broken =
    'the model is broken (e.g. weights far out of range), so these images mean nothing.';
  const bad = x.nonFinite + eps.nonFinite + x0.nonFinite;
  if (bad > 0) {
    return `The samples contain ${bad} NaN or infinite values: ${broken}`;
  }
  if (eps.maxAbs > EPS_LIMIT) {
    return (
      `The predicted noise reaches |ε̂| = ${eps.maxAbs.toExponential(1)}, where ε ~ N(0, I) ` +
      `stays within a few units: ${broken}`
    );
  }
  if (x.maxAbs > X_LIMIT) {
    return (
      `The samples reach |x| = ${x.maxAbs.toExponential(1)}, far outside the data range ` +
      `[−1, 1] (drawn saturated): ${broken}`
    );
  }
  return null;
}
