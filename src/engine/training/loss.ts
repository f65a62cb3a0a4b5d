// The simplified DDPM objective (Ho et al. 2020, eq. 14 and Alg. 1):
//   L_simple(θ) = E_{t, x_0, ε} ‖ε − ε_θ(√ᾱ_t x_0 + √(1−ᾱ_t) ε, t)‖²,
// with t ~ Uniform{1..T} (our indices 0..T−1) and ε ~ N(0, I). We average over pixels as well as
// over the batch (as Ho et al.'s code does, `mean_flat`), so a model predicting ε = 0 scores 1.
//
// A model that learns Σ_θ is trained on Improved DDPM's hybrid objective (Nichol & Dhariwal 2021,
// eq. 16): L_hybrid = L_simple + λ·L_vlb, λ = 0.001, with the mean's gradient stopped in L_vlb.
// L_vlb = Σ_t L_t is estimated from the one sampled t as T·L_t (in bits/dim, vlbTensor.ts), so
// each example's loss is mean‖ε − ε̂‖² + λ·T·L_t: for T = 1000 exactly improved-diffusion's
// `mse + vb` (their loss_type MSE with learn_sigma).
//
// Optional per-example weights (e.g. min-SNR-γ, diffusion/lossWeighting.ts) multiply the squared
// error term only: the weighting is a choice of how much each t matters to the mean's fit.
import * as tf from '@tensorflow/tfjs';
import { qSample } from '../../diffusion/forward';
import { learnedLogVarianceTensor, stopGradient, vlbTermsBpd } from '../../diffusion/vlbTensor';
import { learnsSigma } from '../../model/config';
import { splitOutput } from '../../model/unet';
import type { Schedule } from '../../diffusion/schedule';
import type { ApplyOptions, UNet } from '../../model/unet';

/** λ of L_hybrid (Nichol & Dhariwal 2021, Sec. 3.1). */
export const HYBRID_LAMBDA = 0.001;

/** Number of t-buckets the per-example loss is grouped into for display. */
export const LOSS_BUCKETS = 10;

export interface LossInputs {
  /** Clean images in [-1, 1], [B, H, W, C]. */
  x0: tf.Tensor4D;
  /** Timestep indices in [0, T), int32 [B]. */
  t: tf.Tensor1D;
  /** Labels (numClasses = null class), int32 [B]; null for an unconditional model. */
  y: tf.Tensor1D | null;
  /** ε ~ N(0, I), same shape as x0. */
  noise: tf.Tensor4D;
  /** Weight of each example's squared error, [B] (w_t of its t); absent: every example weighs 1. */
  weights?: tf.Tensor1D | null;
}

export interface DiffusionLoss {
  /** L_simple (or L_hybrid for a model that learns Σ_θ): mean over batch and pixels. */
  loss: tf.Scalar;
  /**
   * Each example's loss, [B]; loss = mean(perExample): the mean over pixels of its squared error,
   * plus λ·T·L_t (bits/dim) with a learned Σ_θ.
   */
  perExample: tf.Tensor1D;
}

/**
 * Computes L_simple, or L_hybrid when the model learns Σ_θ, for one batch. Intermediates are
 * freed; the two results are the caller's.
 */
export function diffusionLoss(
  unet: UNet,
  schedule: Schedule,
  { x0, t, y, noise, weights }: LossInputs,
  opts: ApplyOptions = { training: true },
): DiffusionLoss {
  return tf.tidy(() => {
    const xt = qSample(x0, t, noise, schedule);
    const { eps, v } = splitOutput(unet.config, unet.applyOutput(xt, t, y, opts));
    const sq = tf.mean(tf.squaredDifference(noise, eps), [1, 2, 3]) as tf.Tensor1D;
    const mse = weights ? (tf.mul(sq, weights) as tf.Tensor1D) : sq;
    if (!learnsSigma(unet.config) || v === null) {
      return { loss: tf.mean(mse) as tf.Scalar, perExample: mse };
    }
    const logVariance = learnedLogVarianceTensor(schedule, t, v);
    const vlb = vlbTermsBpd(schedule, { x0, xt, t, eps: stopGradient(eps), logVariance });
    const perExample = tf.add(mse, tf.mul(vlb, HYBRID_LAMBDA * schedule.T)) as tf.Tensor1D;
    return { loss: tf.mean(perExample) as tf.Scalar, perExample };
  });
}

/** The bucket of timestep index t: buckets split [0, T) into LOSS_BUCKETS equal ranges. */
export function lossBucket(t: number, T: number): number {
  return Math.min(LOSS_BUCKETS - 1, Math.floor((t * LOSS_BUCKETS) / T));
}

/** Sums and counts of per-example losses by t-bucket. */
export function bucketLosses(
  losses: ArrayLike<number>,
  t: ArrayLike<number>,
  T: number,
): { sums: number[]; counts: number[] } {
  const sums = new Array<number>(LOSS_BUCKETS).fill(0);
  const counts = new Array<number>(LOSS_BUCKETS).fill(0);
  for (let i = 0; i < losses.length; i++) {
    const b = lossBucket(t[i], T);
    sums[b] += losses[i];
    counts[b] += 1;
  }
  return { sums, counts };
}
