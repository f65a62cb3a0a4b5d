// The per-timestep variational bound term L_t as tf ops, for training with a learned variance
// (Improved DDPM, Nichol & Dhariwal 2021, Sec. 3.1) — the tensor twin of vlb.ts, whose float64
// functions (normalKl, discretizedGaussianLogLikelihood, learnedLogVariance, klTermPerPixel,
// decoderNll) are its reference in the tests. It follows improved-diffusion's `_vb_terms_bpd`:
//   t ≥ 1 (paper t ≥ 2): KL(q(x_{t−1} | x_t, x_0) ‖ p_θ(x_{t−1} | x_t))   (Ho et al. 2020, eq. 5–7)
//   t = 0 (paper t = 1): −log p_θ(x_0 | x_1), the discretised decoder     (Ho et al. 2020, eq. 13)
// each averaged over the pixels and channels of an image and divided by ln 2 (bits per dimension).
import * as tf from '@tensorflow/tfjs';
import { coefficientAt } from './coefficients';
import type { Schedule } from './schedule';

/**
 * log Σ_θ = v·log β_t + (1 − v)·log β̃_t with v = (out + 1)/2 (Nichol & Dhariwal 2021, eq. 15;
 * improved-diffusion `LEARNED_RANGE`: the network's output `out`, nominally in [−1, 1], is mapped
 * to [0, 1]; it is not clamped, as in their code). β̃ is the clipped posterior variance (index 0
 * uses β̃ at index 1). t: one index for the batch or an int32 [B] tensor; out: [B, H, W, C].
 */
export function learnedLogVarianceTensor(
  schedule: Schedule,
  t: number | tf.Tensor1D,
  out: tf.Tensor4D,
): tf.Tensor4D {
  return tf.tidy(() => {
    const logBeta = coefficientAt(schedule.betas, t, 4, Math.log);
    const logBetaTilde = coefficientAt(schedule.posteriorLogVarianceClipped, t, 4);
    const v = tf.div(tf.add(out, 1), 2);
    return tf.add(tf.mul(v, logBeta), tf.mul(tf.sub(1, v), logBetaTilde)) as tf.Tensor4D;
  });
}

/** Elementwise KL(N(m1, e^{lv1}) ‖ N(m2, e^{lv2})) in nats (improved-diffusion `normal_kl`). */
export function normalKlTensor(
  m1: tf.Tensor,
  lv1: tf.Tensor,
  m2: tf.Tensor,
  lv2: tf.Tensor,
): tf.Tensor {
  return tf.tidy(() => {
    const d = tf.sub(m1, m2);
    const sum = tf.addN([
      tf.sub(lv2, lv1),
      tf.exp(tf.sub(lv1, lv2)),
      tf.mul(tf.square(d), tf.exp(tf.neg(lv2))),
    ]);
    return tf.mul(0.5, tf.sub(sum, 1));
  });
}

/** Φ(x) by the tanh approximation of Ho et al.'s and improved-diffusion's code. */
function approxCdf(x: tf.Tensor): tf.Tensor {
  const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
  return tf.mul(0.5, tf.add(1, tf.tanh(inner)));
}

const safeLog = (x: tf.Tensor) => tf.log(tf.maximum(x, 1e-12));

/**
 * Elementwise log p(x) under the discretised Gaussian decoder (Ho et al. 2020, eq. 13): the mass
 * of N(mean, e^{2·logScale}) over x's bin of width 2/255, the outer bins extended to ±∞.
 */
export function discretizedGaussianLogLikelihoodTensor(
  x: tf.Tensor,
  mean: tf.Tensor,
  logScale: tf.Tensor,
): tf.Tensor {
  return tf.tidy(() => {
    const centered = tf.sub(x, mean);
    const invStd = tf.exp(tf.neg(logScale));
    const cdfPlus = approxCdf(tf.mul(invStd, tf.add(centered, 1 / 255)));
    const cdfMin = approxCdf(tf.mul(invStd, tf.sub(centered, 1 / 255)));
    const low = tf.less(x, -0.999);
    const high = tf.greater(x, 0.999);
    const mid = safeLog(tf.sub(cdfPlus, cdfMin));
    return tf.where(low, safeLog(cdfPlus), tf.where(high, safeLog(tf.sub(1, cdfMin)), mid));
  });
}

export interface VlbTermInputs {
  x0: tf.Tensor4D;
  xt: tf.Tensor4D;
  /** Timestep indices, int32 [B]. */
  t: tf.Tensor1D;
  /** The ε̂ the model's mean is built from (pass it through stopGradient for L_hybrid). */
  eps: tf.Tensor4D;
  /** log Σ_θ per pixel, [B, H, W, C] (learnedLogVarianceTensor). */
  logVariance: tf.Tensor4D;
}

/**
 * L_t per example in bits per dimension, [B]: the KL for t ≥ 1 and the decoder NLL for t = 0
 * (improved-diffusion `_vb_terms_bpd` with clip_denoised = False). The model's mean is
 * μ_θ = coef1·x̂_0 + coef2·x_t with x̂_0 = √(1/ᾱ_t)·x_t − √(1/ᾱ_t − 1)·ε̂ (Ho et al. 2020, eq. 7
 * and 15).
 */
export function vlbTermsBpd(schedule: Schedule, inputs: VlbTermInputs): tf.Tensor1D {
  const { x0, xt, t, eps, logVariance } = inputs;
  return tf.tidy(() => {
    const at = (values: Float64Array) => coefficientAt(values, t, 4);
    const c1 = at(schedule.posteriorMeanCoef1);
    const c2 = at(schedule.posteriorMeanCoef2);
    const x0Pred = tf.sub(
      tf.mul(at(schedule.sqrtRecipAlphaBars), xt),
      tf.mul(at(schedule.sqrtRecipM1AlphaBars), eps),
    );
    const meanP = tf.add(tf.mul(c1, x0Pred), tf.mul(c2, xt));
    const meanQ = tf.add(tf.mul(c1, x0), tf.mul(c2, xt));
    const lvQ = at(schedule.posteriorLogVarianceClipped);
    const kl = normalKlTensor(meanQ, lvQ, meanP, logVariance);
    const nll = tf.neg(discretizedGaussianLogLikelihoodTensor(x0, meanP, tf.mul(0.5, logVariance)));
    const toBits = (v: tf.Tensor) => tf.div(tf.mean(v, [1, 2, 3]), Math.LN2);
    return tf.where(tf.equal(t, 0), toBits(nll), toBits(kl)) as tf.Tensor1D;
  });
}

/**
 * Identity whose gradient is zero: the stop-gradient of Nichol & Dhariwal 2021, eq. 16 (their
 * code's `.detach()`), so L_vlb's gradient reaches Σ_θ but not the mean. tfjs has no such op.
 */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  const f = tf.customGrad((...inputs: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const a = inputs[0];
    if (!(a instanceof tf.Tensor)) throw new TypeError('stopGradient takes a tensor');
    return { value: tf.clone(a), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) };
  });
  return f(x) as T;
}
