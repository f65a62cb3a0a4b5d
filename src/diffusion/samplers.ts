// One reverse step of the DDPM and DDIM samplers, given the model's ε prediction.
import * as tf from '@tensorflow/tfjs';
import { assertSameShape, validateTimestep } from './coefficients';
import { posteriorMean, predictX0FromEps } from './posterior';
import type { Schedule } from './schedule';

/** All three tensors belong to the caller, who must dispose them. */
export interface StepResult<R extends tf.Rank = tf.Rank> {
  xPrev: tf.Tensor<R>;
  /** The x̂_0 the update used: clipped to [−1, 1] when clipX0. */
  x0Pred: tf.Tensor<R>;
  /**
   * The ε the update used: the given ε, or with clipX0 the ε re-derived from the clipped x̂_0,
   * ε = (x_t − √ᾱ_t x̂_0)/√(1−ᾱ_t) (Ho et al. 2020, eq. 4 solved for ε). For DDPM the posterior
   * mean from the clipped x̂_0 equals eq. 11's mean with this ε, so it is the ε of both updates.
   */
  epsUsed: tf.Tensor<R>;
}

/** ε consistent with x_t and x̂_0 at ᾱ: x_t = √ᾱ x̂_0 + √(1−ᾱ) ε (Ho et al. 2020, eq. 4). */
function epsFromX0<R extends tf.Rank>(xt: tf.Tensor<R>, x0: tf.Tensor<R>, alphaBar: number) {
  return tf.div<tf.Tensor<R>>(tf.sub(xt, tf.mul(x0, Math.sqrt(alphaBar))), Math.sqrt(1 - alphaBar));
}

/** Reverse-process variance choice: σ_t² = β_t or σ_t² = β̃_t (Ho et al. 2020, Sec. 3.2). */
export type DdpmVariance = 'beta' | 'betaTilde';

/** σ_t for a DDPM step at index t (Ho et al. 2020, Sec. 3.2: σ² = β_t or β̃_t). */
export function ddpmSigma(schedule: Schedule, t: number, variance: DdpmVariance): number {
  validateTimestep(t, schedule.T);
  return Math.sqrt(variance === 'beta' ? schedule.betas[t] : schedule.posteriorVariance[t]);
}

export interface DdpmStepArgs<R extends tf.Rank> {
  xt: tf.Tensor<R>;
  /** Index of x_t's step (0-based; the same for the whole batch). */
  t: number;
  eps: tf.Tensor<R>;
  schedule: Schedule;
  /** Standard normal z; required when t > 0, ignored at t = 0. */
  noise?: tf.Tensor<R>;
  variance: DdpmVariance;
  /**
   * A learned log Σ_θ per pixel (Nichol & Dhariwal 2021, eq. 15; vlbTensor.ts), shaped like x_t:
   * when given, σ = exp(½·logVariance) replaces the fixed `variance`.
   */
  logVariance?: tf.Tensor;
  /** Clamp x̂_0 to [−1, 1] before forming the mean (Ho et al.'s code does). */
  clipX0?: boolean;
}

/**
 * x_{t−1} = μ̃_t(x_t, x̂_0) + σ_t z, no noise at the last step (Ho et al. 2020, Alg. 2 / eq. 11:
 * with x̂_0 from eq. 15 the posterior mean of eq. 7 equals eq. 11's mean when not clipped).
 */
export function ddpmStep<R extends tf.Rank>(args: DdpmStepArgs<R>): StepResult<R> {
  const { xt, t, eps, schedule, noise, variance } = args;
  const sigma = ddpmSigma(schedule, t, variance);
  if (t > 0) {
    if (!noise) throw new RangeError('ddpmStep needs noise when t > 0');
    assertSameShape(xt, noise, 'ddpmStep xt/noise');
  }
  return tf.tidy(() => {
    const x0Pred = predictX0FromEps(xt, t, eps, schedule, args.clipX0 ?? false);
    const mean = posteriorMean(x0Pred, xt, t, schedule);
    const scale = args.logVariance ? tf.exp(tf.mul(args.logVariance, 0.5)) : sigma;
    const xPrev = t > 0 && noise ? tf.add<tf.Tensor<R>>(mean, tf.mul(noise, scale)) : mean;
    const epsUsed = args.clipX0 ? epsFromX0(xt, x0Pred, schedule.alphaBars[t]) : tf.clone(eps);
    return { xPrev, x0Pred, epsUsed };
  });
}

/** σ_τ = η·√((1−ᾱ_prev)/(1−ᾱ_t))·√(1−ᾱ_t/ᾱ_prev) (Song et al. 2021, DDIM eq. 16). */
export function ddimSigma(alphaBar: number, alphaBarPrev: number, eta: number): number {
  if (!(alphaBar > 0 && alphaBar < 1) || !(alphaBarPrev > 0 && alphaBarPrev <= 1)) {
    throw new RangeError(
      `need 0 < alphaBar < 1 and 0 < alphaBarPrev <= 1 (got ${alphaBar}, ${alphaBarPrev})`,
    );
  }
  if (!(eta >= 0 && Number.isFinite(eta))) {
    throw new RangeError(`eta must be a finite number >= 0 (got ${eta})`);
  }
  return (
    eta * Math.sqrt((1 - alphaBarPrev) / (1 - alphaBar)) * Math.sqrt(1 - alphaBar / alphaBarPrev)
  );
}

/** The three scalars of a DDIM step (Song et al. 2021, eq. 12). */
export interface DdimCoefficients {
  /** √ᾱ_prev, multiplies x̂_0. */
  x0Coef: number;
  /** √(1 − ᾱ_prev − σ²), multiplies ε ("direction pointing to x_t"). */
  epsCoef: number;
  /** σ, multiplies fresh noise z. */
  sigma: number;
}

export function ddimCoefficients(
  alphaBar: number,
  alphaBarPrev: number,
  eta: number,
): DdimCoefficients {
  const sigma = ddimSigma(alphaBar, alphaBarPrev, eta);
  const dir = 1 - alphaBarPrev - sigma * sigma;
  if (dir < -1e-12) {
    throw new RangeError(`eta=${eta} makes sigma² exceed 1 − alphaBarPrev (DDIM eq. 12 undefined)`);
  }
  return { x0Coef: Math.sqrt(alphaBarPrev), epsCoef: Math.sqrt(Math.max(dir, 0)), sigma };
}

export interface DdimStepArgs<R extends tf.Rank> {
  xt: tf.Tensor<R>;
  eps: tf.Tensor<R>;
  /** ᾱ at the current step and at the next step the sampler visits (1 after the last). */
  alphaBar: number;
  alphaBarPrev: number;
  /** 0: deterministic DDIM; 1: DDPM-like σ (Song et al. 2021, Sec. 4.1). */
  eta: number;
  /** Standard normal z; required when σ > 0. */
  noise?: tf.Tensor<R>;
  /**
   * Clamp x̂_0 to [−1, 1]; ε is then re-derived from the clamped x̂_0 and used in eq. 12's
   * "direction pointing to x_t" (improved-diffusion's `ddim_sample`, not the paper's eq. 12,
   * which has no clipping), so x_prev stays consistent with the x̂_0 it moves towards.
   */
  clipX0?: boolean;
}

/**
 * x_prev = √ᾱ_prev x̂_0 + √(1−ᾱ_prev−σ²) ε + σ z (Song et al. 2021, DDIM eq. 12), with
 * x̂_0 = (x_t − √(1−ᾱ_t) ε)/√ᾱ_t (the "predicted x_0" term of eq. 12).
 */
export function ddimStep<R extends tf.Rank>(args: DdimStepArgs<R>): StepResult<R> {
  const { xt, eps, alphaBar, alphaBarPrev, eta, noise } = args;
  assertSameShape(xt, eps, 'ddimStep xt/eps');
  const { x0Coef, epsCoef, sigma } = ddimCoefficients(alphaBar, alphaBarPrev, eta);
  if (sigma > 0) {
    if (!noise) throw new RangeError('ddimStep needs noise when sigma > 0 (eta > 0)');
    assertSameShape(xt, noise, 'ddimStep xt/noise');
  }
  const sqrtAb = Math.sqrt(alphaBar);
  const sqrtOneMinusAb = Math.sqrt(1 - alphaBar);
  return tf.tidy(() => {
    let x0Pred = tf.div<tf.Tensor<R>>(tf.sub(xt, tf.mul(eps, sqrtOneMinusAb)), sqrtAb);
    let epsUsed: tf.Tensor<R> = tf.clone(eps);
    if (args.clipX0) {
      x0Pred = tf.clipByValue(x0Pred, -1, 1);
      epsUsed = epsFromX0(xt, x0Pred, alphaBar);
    }
    let xPrev = tf.add<tf.Tensor<R>>(tf.mul(x0Pred, x0Coef), tf.mul(epsUsed, epsCoef));
    if (sigma > 0 && noise) xPrev = tf.add(xPrev, tf.mul(noise, sigma));
    return { xPrev, x0Pred, epsUsed };
  });
}
