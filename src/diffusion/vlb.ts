// The variational bound (ELBO) of a DDPM, term by term, in float64 (no tfjs).
//
//   L = L_T + Σ_{t=2}^{T} L_{t−1} + L_0                         (Ho et al. 2020, eq. 5)
//   L_T     = KL(q(x_T | x_0) ‖ N(0, I))
//   L_{t−1} = KL(q(x_{t−1} | x_t, x_0) ‖ p_θ(x_{t−1} | x_t))    (posterior: eq. 6–7)
//   L_0     = −log p_θ(x_0 | x_1), a discretised Gaussian over 256 bins (eq. 13)
//
// Indexing as in schedule.ts: array index i is the paper's step t = i + 1. Index 0 holds L_0
// (the decoder), index i ≥ 1 holds L_{t−1} = L_i, the KL at the step from x_{i+1} to x_i. All
// terms are in nats summed over the D dimensions of one image; bitsPerDim divides by D·ln 2.
// The code follows improved-diffusion's `losses.py` and `_vb_terms_bpd` (Nichol & Dhariwal 2021).
import type { Schedule } from './schedule';

/** The reverse-process variance: σ² = β, σ² = β̃ (Ho et al. 2020, Sec. 3.2). */
export type VlbVariance = 'beta' | 'betaTilde';

/** The fixed ones, or a learned Σ_θ (Nichol & Dhariwal 2021, eq. 15) of a model that has one. */
export type ElboVariance = VlbVariance | 'learned';

/** KL(N(m1, e^{lv1}) ‖ N(m2, e^{lv2})) for one dimension, in nats (improved-diffusion normal_kl). */
export function normalKl(m1: number, lv1: number, m2: number, lv2: number): number {
  const d = m1 - m2;
  return 0.5 * (-1 + lv2 - lv1 + Math.exp(lv1 - lv2) + d * d * Math.exp(-lv2));
}

/**
 * Φ(x) by the tanh approximation that Ho et al.'s and improved-diffusion's code use
 * (`approx_standard_normal_cdf`); kept so our bits/dim are comparable with theirs.
 */
export function approxStandardNormalCdf(x: number): number {
  return 0.5 * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
}

const LOG_MIN = 1e-12;
const log = (v: number) => Math.log(Math.max(v, LOG_MIN));

/**
 * log p(x) of one pixel x ∈ [−1, 1] (on the 256-level grid) under the discretised Gaussian
 * decoder of Ho et al. 2020, eq. 13: the Gaussian's mass over the pixel's bin of width 2/255,
 * with the outermost bins extended to ±∞ (improved-diffusion
 * `discretized_gaussian_log_likelihood`).
 */
export function discretizedGaussianLogLikelihood(
  x: number,
  mean: number,
  logScale: number,
): number {
  const centered = x - mean;
  const invStd = Math.exp(-logScale);
  const cdfPlus = approxStandardNormalCdf(invStd * (centered + 1 / 255));
  const cdfMin = approxStandardNormalCdf(invStd * (centered - 1 / 255));
  if (x < -0.999) return log(cdfPlus);
  if (x > 0.999) return log(1 - cdfMin);
  return log(cdfPlus - cdfMin);
}

/**
 * log σ_t² of p_θ(x_{t−1} | x_t) at index i. σ² = β uses improved-diffusion's "fixedlarge"
 * table, log(append(β̃[1], β[1:])): at index 0 (the decoder) both choices use β̃ at index 1,
 * since β̃ at index 0 is 0.
 */
export function modelLogVariance(schedule: Schedule, i: number, variance: VlbVariance): number {
  checkIndex(schedule, i);
  if (variance === 'betaTilde' || i === 0) return schedule.posteriorLogVarianceClipped[i];
  return Math.log(schedule.betas[i]);
}

/**
 * Improved DDPM's learned variance (Nichol & Dhariwal 2021, eq. 15):
 * Σ_θ = exp(v·log β_t + (1 − v)·log β̃_t), returned as its log. v ∈ [0, 1] keeps it between β̃ and β.
 */
export function learnedLogVariance(schedule: Schedule, i: number, v: number): number {
  checkIndex(schedule, i);
  return v * Math.log(schedule.betas[i]) + (1 - v) * schedule.posteriorLogVarianceClipped[i];
}

/**
 * The weight that turns ‖ε − ε_θ‖² into L_{t−1} (Ho et al. 2020, eq. 12):
 * w_t = β_t² / (2σ_t² α_t (1 − ᾱ_t)). L_simple sets it to 1.
 */
export function vlbWeight(schedule: Schedule, i: number, variance: VlbVariance): number {
  checkIndex(schedule, i);
  const beta = schedule.betas[i];
  const sigma2 = Math.exp(modelLogVariance(schedule, i, variance));
  return (beta * beta) / (2 * sigma2 * schedule.alphas[i] * (1 - schedule.alphaBars[i]));
}

/**
 * L_{t−1} at index i ≥ 1 for one image, from the squared error S = ‖ε − ε_θ‖² summed over its
 * D dimensions. Both Gaussians have scalar variances, so the KL is closed form:
 *   D·½(−1 + lv_p − lv_q + e^{lv_q − lv_p}) + w_t·S,
 * since μ̃ − μ_θ = coef1·√(1/ᾱ_t − 1)·(ε_θ − ε) (Ho et al. 2020, eq. 7 and 11 with eq. 4).
 */
export function klTermFromSquaredError(
  schedule: Schedule,
  i: number,
  variance: VlbVariance,
  squaredError: number,
  D: number,
): number {
  if (i < 1) throw new RangeError('index 0 is the decoder term L_0, not a KL');
  const lvQ = schedule.posteriorLogVarianceClipped[i];
  const lvP = modelLogVariance(schedule, i, variance);
  const perDim = 0.5 * (-1 + lvP - lvQ + Math.exp(lvQ - lvP));
  return D * perDim + vlbWeight(schedule, i, variance) * squaredError;
}

/**
 * The same KL computed pixel by pixel from x_0, x_t and ε_θ with normalKl: the reference for
 * klTermFromSquaredError, and the form a learned variance needs (logVarianceP per pixel).
 */
export function klTermPerPixel(
  schedule: Schedule,
  i: number,
  x0: ArrayLike<number>,
  xt: ArrayLike<number>,
  epsPred: ArrayLike<number>,
  logVarianceP: number | ArrayLike<number>,
): number {
  checkIndex(schedule, i);
  const c1 = schedule.posteriorMeanCoef1[i];
  const c2 = schedule.posteriorMeanCoef2[i];
  const a = schedule.sqrtRecipAlphaBars[i];
  const b = schedule.sqrtRecipM1AlphaBars[i];
  const lvQ = schedule.posteriorLogVarianceClipped[i];
  let sum = 0;
  for (let k = 0; k < x0.length; k++) {
    const meanQ = c1 * x0[k] + c2 * xt[k];
    const x0Pred = a * xt[k] - b * epsPred[k]; // eq. 15, not clipped
    const meanP = c1 * x0Pred + c2 * xt[k];
    const lvP = typeof logVarianceP === 'number' ? logVarianceP : logVarianceP[k];
    sum += normalKl(meanQ, lvQ, meanP, lvP);
  }
  return sum;
}

/**
 * L_0 = −log p_θ(x_0 | x_1) in nats for one image: the decoder's mean is μ_θ(x_1, 1) = x̂_0
 * (at index 0, coef1 = 1 and coef2 = 0), its log-scale ½·log σ_1².
 */
export function decoderNll(
  schedule: Schedule,
  x0: ArrayLike<number>,
  x0Pred: ArrayLike<number>,
  logVariance: number = modelLogVariance(schedule, 0, 'betaTilde'),
): number {
  let sum = 0;
  const c1 = schedule.posteriorMeanCoef1[0];
  for (let k = 0; k < x0.length; k++) {
    sum -= discretizedGaussianLogLikelihood(x0[k], c1 * x0Pred[k], 0.5 * logVariance);
  }
  return sum;
}

/** L_T = KL(q(x_T | x_0) ‖ N(0, I)) in nats for one image (Ho et al. 2020, eq. 5). */
export function priorKl(schedule: Schedule, x0: ArrayLike<number>): number {
  const last = schedule.T - 1;
  const m = schedule.sqrtAlphaBars[last];
  const lv = Math.log1p(-schedule.alphaBars[last]);
  let sum = 0;
  for (let k = 0; k < x0.length; k++) sum += normalKl(m * x0[k], lv, 0, 0);
  return sum;
}

/** nats for one image of D dimensions → bits per dimension. */
export function bitsPerDim(nats: number, D: number): number {
  return nats / (D * Math.LN2);
}

function checkIndex(schedule: Schedule, i: number): void {
  if (!Number.isInteger(i) || i < 0 || i >= schedule.T) {
    throw new RangeError(`timestep index must be an integer in [0, ${schedule.T - 1}] (got ${i})`);
  }
}
