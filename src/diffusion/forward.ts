// Forward (noising) process q(x_t | x_0) and q(x_t | x_{t−1}) as tf ops.
import * as tf from '@tensorflow/tfjs';
import { assertBatchMatches, assertSameShape, coefficientAt, type Timestep } from './coefficients';
import type { Schedule } from './schedule';

/**
 * Closed-form jump x_t = √ᾱ_t x_0 + √(1−ᾱ_t) ε (Ho et al. 2020, eq. 4 reparameterised).
 * t is an index (step t+1), shared by the batch or per example (int32 Tensor1D).
 */
export function qSample<R extends tf.Rank>(
  x0: tf.Tensor<R>,
  t: Timestep,
  noise: tf.Tensor<R>,
  schedule: Schedule,
): tf.Tensor<R> {
  assertSameShape(x0, noise, 'qSample x0/noise');
  assertBatchMatches(x0, t);
  return tf.tidy(() => {
    const a = coefficientAt(schedule.sqrtAlphaBars, t, x0.rank);
    const b = coefficientAt(schedule.sqrtOneMinusAlphaBars, t, x0.rank);
    return tf.add(tf.mul(x0, a), tf.mul(noise, b));
  });
}

/** One Markov step x_t = √(1−β_t) x_{t−1} + √β_t ε (Ho et al. 2020, eq. 2). */
export function qStep<R extends tf.Rank>(
  xPrev: tf.Tensor<R>,
  t: Timestep,
  noise: tf.Tensor<R>,
  schedule: Schedule,
): tf.Tensor<R> {
  assertSameShape(xPrev, noise, 'qStep xPrev/noise');
  assertBatchMatches(xPrev, t);
  return tf.tidy(() => {
    const a = coefficientAt(schedule.alphas, t, xPrev.rank, Math.sqrt);
    const b = coefficientAt(schedule.betas, t, xPrev.rank, Math.sqrt);
    return tf.add(tf.mul(xPrev, a), tf.mul(noise, b));
  });
}
