// Exact log-density and score of a 2-D Gaussian mixture under any affine noising
// x_t = a·x_0 + b·z, z ~ N(0, I). Every marginal of the playground is of this form: a noise level σ
// (a = 1, b = σ; Song & Ermon 2019), VE (a = 1, b = σ(t)), VP and sub-VP (a = e^{…}, b = std(t);
// Song et al. 2021, eq. 29 and score_sde's `marginal_prob`). Component k, N(μ_k, v_k I), becomes
// N(a μ_k, (a² v_k + b²) I), so p_t is again a mixture and its score is in closed form:
//   ∇ log p_t(x) = Σ_k r_k(x) · (a μ_k − x) / S_k,  S_k = a² v_k + b²,
//   r_k(x) = w_k N(x; a μ_k, S_k I) / p_t(x)  (the responsibilities).
// Particles are interleaved [x_0, y_0, x_1, y_1, …] in a Float64Array.

export interface Gmm {
  /** Component means, interleaved [μ_x, μ_y, …] (length 2K). */
  means: Float64Array;
  /** Isotropic variance v_k of each component (length K). */
  variances: Float64Array;
  /** Mixture weights w_k, summing to 1 (length K). */
  weights: Float64Array;
  /** Which reported component (e.g. "mode (5, 5)") each Gaussian belongs to (length K). */
  groups: Int32Array;
}

/** x_t = a x_0 + b z. */
export interface Marginal {
  a: number;
  b: number;
}

const LOG_2PI = Math.log(2 * Math.PI);

export function numComponents(g: Gmm): number {
  return g.weights.length;
}

/** Checks sizes and values; throws a RangeError naming the problem. */
export function validateGmm(g: Gmm): void {
  const K = g.weights.length;
  if (K === 0) throw new RangeError('a mixture needs at least one component');
  if (g.means.length !== 2 * K || g.variances.length !== K || g.groups.length !== K) {
    throw new RangeError('mixture arrays disagree in length');
  }
  let sum = 0;
  for (let k = 0; k < K; k++) {
    if (!(g.weights[k] >= 0) || !(g.variances[k] >= 0)) {
      throw new RangeError('weights and variances must be non-negative numbers');
    }
    if (!Number.isFinite(g.means[2 * k]) || !Number.isFinite(g.means[2 * k + 1])) {
      throw new RangeError('means must be finite');
    }
    sum += g.weights[k];
  }
  if (Math.abs(sum - 1) > 1e-9) throw new RangeError(`weights must sum to 1 (got ${sum})`);
}

function checkMarginal(m: Marginal): void {
  if (!(m.a > 0) || !(m.b >= 0) || !Number.isFinite(m.a) || !Number.isFinite(m.b)) {
    throw new RangeError(`marginal needs a > 0 and b >= 0 (got a = ${m.a}, b = ${m.b})`);
  }
}

/** Per-component constants under the marginal: S_k and log w_k − log(2π S_k) (d = 2). */
function componentTerms(g: Gmm, m: Marginal): { S: Float64Array; logc: Float64Array } {
  const K = g.weights.length;
  const S = new Float64Array(K);
  const logc = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    S[k] = m.a * m.a * g.variances[k] + m.b * m.b;
    if (!(S[k] > 0)) throw new RangeError('a component has zero variance at this noise level');
    logc[k] = Math.log(g.weights[k]) - LOG_2PI - Math.log(S[k]);
  }
  return { S, logc };
}

export interface ScoreOutputs {
  /** log p_t at each particle (length n). */
  logDensity?: Float64Array;
  /** ∇ log p_t, interleaved (length 2n). */
  score?: Float64Array;
  /** ∇·∇ log p_t = Σ r_k ‖u_k‖² − ‖s‖² − 2 Σ r_k / S_k, with u_k = (a μ_k − x)/S_k (length n). */
  divergence?: Float64Array;
}

/**
 * Evaluates what `out` asks for at the particles x (interleaved). One pass over the components
 * per particle with a running log-sum-exp, so any number of components stays finite.
 */
export function evaluateGmm(g: Gmm, m: Marginal, x: Float64Array, out: ScoreOutputs): void {
  checkMarginal(m);
  const K = g.weights.length;
  const n = x.length >> 1;
  const { S, logc } = componentTerms(g, m);
  const logits = new Float64Array(K);
  const { a } = m;
  for (let i = 0; i < n; i++) {
    const px = x[2 * i];
    const py = x[2 * i + 1];
    let max = -Infinity;
    for (let k = 0; k < K; k++) {
      const dx = px - a * g.means[2 * k];
      const dy = py - a * g.means[2 * k + 1];
      const l = logc[k] - (0.5 * (dx * dx + dy * dy)) / S[k];
      logits[k] = l;
      if (l > max) max = l;
    }
    let z = 0;
    let sx = 0;
    let sy = 0;
    let uu = 0;
    let invS = 0;
    for (let k = 0; k < K; k++) {
      const r = Math.exp(logits[k] - max);
      if (r === 0) continue;
      z += r;
      const ux = (a * g.means[2 * k] - px) / S[k];
      const uy = (a * g.means[2 * k + 1] - py) / S[k];
      sx += r * ux;
      sy += r * uy;
      uu += r * (ux * ux + uy * uy);
      invS += r / S[k];
    }
    sx /= z;
    sy /= z;
    if (out.logDensity) out.logDensity[i] = max + Math.log(z);
    if (out.score) {
      out.score[2 * i] = sx;
      out.score[2 * i + 1] = sy;
    }
    if (out.divergence) out.divergence[i] = uu / z - (sx * sx + sy * sy) - (2 * invS) / z;
  }
}

/** ∇ log p_t at the particles x (interleaved), into `out` (allocated when absent). */
export function gmmScore(g: Gmm, m: Marginal, x: Float64Array, out?: Float64Array): Float64Array {
  const score = out ?? new Float64Array(x.length);
  evaluateGmm(g, m, x, { score });
  return score;
}

export function gmmLogDensity(g: Gmm, m: Marginal, x: Float64Array): Float64Array {
  const logDensity = new Float64Array(x.length >> 1);
  evaluateGmm(g, m, x, { logDensity });
  return logDensity;
}

/** Draws n points of the mixture itself (a = 1, b = 0): component by weight, then its Gaussian. */
export function sampleGmm(
  g: Gmm,
  n: number,
  uniform: () => number,
  normal: () => number,
): Float64Array {
  const K = g.weights.length;
  const cdf = new Float64Array(K);
  let acc = 0;
  for (let k = 0; k < K; k++) cdf[k] = acc += g.weights[k];
  const out = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const u = uniform() * acc;
    let k = 0;
    while (k < K - 1 && cdf[k] <= u) k++;
    const sd = Math.sqrt(g.variances[k]);
    out[2 * i] = g.means[2 * k] + sd * normal();
    out[2 * i + 1] = g.means[2 * k + 1] + sd * normal();
  }
  return out;
}
