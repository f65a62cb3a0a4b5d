// What the view and the CLI measure about a set of 2-D samples.
import { evaluateGmm, type Gmm } from './gmm';

/**
 * The fraction of samples in each reported component: each sample goes to the group of the
 * mixture component with the largest responsibility w_k N(x; μ_k, v_k I) (the Bayes assignment).
 */
export function componentFractions(g: Gmm, x: Float64Array): Float64Array {
  const groups = Math.max(...g.groups) + 1;
  const counts = new Float64Array(groups);
  const n = x.length >> 1;
  const K = g.weights.length;
  for (let i = 0; i < n; i++) {
    let best = -Infinity;
    let bestK = 0;
    for (let k = 0; k < K; k++) {
      const dx = x[2 * i] - g.means[2 * k];
      const dy = x[2 * i + 1] - g.means[2 * k + 1];
      const v = g.variances[k];
      const l = Math.log(g.weights[k]) - Math.log(v) - (0.5 * (dx * dx + dy * dy)) / v;
      if (l > best) {
        best = l;
        bestK = k;
      }
    }
    counts[g.groups[bestK]]++;
  }
  for (let j = 0; j < groups; j++) counts[j] /= Math.max(1, n);
  return counts;
}

/** The true weight of each reported component. */
export function groupWeights(g: Gmm): Float64Array {
  const out = new Float64Array(Math.max(...g.groups) + 1);
  for (let k = 0; k < g.weights.length; k++) out[g.groups[k]] += g.weights[k];
  return out;
}

/** Number of projection directions of the sliced Wasserstein distance. */
export const SW_DIRECTIONS = 64;

/**
 * The sliced 2-Wasserstein distance SW₂(p, q) = (mean over directions θ of W₂²(θᵀp, θᵀq))^{1/2}
 * (Rabin et al. 2011; Bonneel et al. 2015), with 64 evenly spaced directions on the half circle
 * (deterministic in 2-D). In 1-D, W₂² between two equal-size samples is the mean squared
 * difference of the sorted values; unequal sizes are compared at matching quantiles.
 */
export function slicedWasserstein(
  p: Float64Array,
  q: Float64Array,
  directions = SW_DIRECTIONS,
): number {
  const n = p.length >> 1;
  const m = q.length >> 1;
  if (n === 0 || m === 0) throw new RangeError('sliced Wasserstein needs two non-empty samples');
  const a = new Float64Array(n);
  const b = new Float64Array(m);
  let total = 0;
  for (let d = 0; d < directions; d++) {
    const th = (Math.PI * d) / directions;
    const c = Math.cos(th);
    const s = Math.sin(th);
    for (let i = 0; i < n; i++) a[i] = c * p[2 * i] + s * p[2 * i + 1];
    for (let i = 0; i < m; i++) b[i] = c * q[2 * i] + s * q[2 * i + 1];
    a.sort();
    b.sort();
    let sum = 0;
    if (n === m) {
      for (let i = 0; i < n; i++) sum += (a[i] - b[i]) ** 2;
      total += sum / n;
    } else {
      const K = Math.max(n, m);
      for (let i = 0; i < K; i++) {
        const u = (i + 0.5) / K;
        sum += (a[Math.min(n - 1, Math.floor(u * n))] - b[Math.min(m - 1, Math.floor(u * m))]) ** 2;
      }
      total += sum / K;
    }
  }
  return Math.sqrt(total / directions);
}

/** The average log-density of the points under the mixture (nats per point). */
export function meanLogLikelihood(g: Gmm, x: Float64Array): number {
  const n = x.length >> 1;
  const logDensity = new Float64Array(n);
  evaluateGmm(g, { a: 1, b: 0 }, x, { logDensity });
  let sum = 0;
  for (let i = 0; i < n; i++) sum += logDensity[i];
  return sum / n;
}
