// Mean and covariance of feature vectors in float64: the Gaussian that the Fréchet distance
// compares (Heusel et al. 2017, FID).

/** A Gaussian summary of n feature vectors of dimension d. */
export interface FeatureStats {
  n: number;
  d: number;
  /** [d] */
  mean: Float64Array;
  /** [d * d] row-major, symmetric. */
  cov: Float64Array;
}

/**
 * Sample mean and unbiased covariance, Σ = Σ_i (x_i − μ)(x_i − μ)ᵀ / (n − 1), of n row-major
 * vectors of length d. Two passes (centre, then accumulate) in float64, so large offsets do not
 * cancel catastrophically.
 */
export function featureStats(features: ArrayLike<number>, n: number, d: number): FeatureStats {
  if (!Number.isInteger(d) || d < 1) throw new RangeError(`d must be an integer >= 1 (got ${d})`);
  if (!Number.isInteger(n) || n < 2) {
    throw new RangeError(`featureStats needs n >= 2 vectors for a covariance (got ${n})`);
  }
  if (features.length !== n * d) {
    throw new RangeError(`features has ${features.length} values, expected n * d = ${n * d}`);
  }
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += features[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  const cov = new Float64Array(d * d);
  const centred = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) centred[j] = features[i * d + j] - mean[j];
    // Upper triangle only; mirrored below.
    for (let j = 0; j < d; j++) {
      const cj = centred[j];
      if (cj === 0) continue;
      const row = j * d;
      for (let k = j; k < d; k++) cov[row + k] += cj * centred[k];
    }
  }
  for (let j = 0; j < d; j++) {
    for (let k = j; k < d; k++) {
      const v = cov[j * d + k] / (n - 1);
      cov[j * d + k] = v;
      cov[k * d + j] = v;
    }
  }
  for (let j = 0; j < d; j++) {
    if (!Number.isFinite(mean[j])) throw new RangeError('features contain NaN or Inf');
  }
  return { n, d, mean, cov };
}
