// x̂_0 from a predicted ε, and the mean of the forward-process posterior q(x_{t−1} | x_t, x_0).
import * as tf from '@tensorflow/tfjs';
import { assertBatchMatches, assertSameShape, coefficientAt, type Timestep } from './coefficients';
import type { Schedule } from './schedule';

/**
 * x̂_0 = (x_t − √(1−ᾱ_t) ε)/√ᾱ_t (Ho et al. 2020, eq. 4 solved for x_0, as used in eq. 15),
 * computed as (1/√ᾱ_t) x_t − √(1/ᾱ_t − 1) ε with float64 coefficients. `clip` clamps to [−1, 1].
 */
export function predictX0FromEps<R extends tf.Rank>(
  xt: tf.Tensor<R>,
  t: Timestep,
  eps: tf.Tensor<R>,
  schedule: Schedule,
  clip = false,
): tf.Tensor<R> {
  assertSameShape(xt, eps, 'predictX0FromEps xt/eps');
  assertBatchMatches(xt, t);
  return tf.tidy(() => {
    const a = coefficientAt(schedule.sqrtRecipAlphaBars, t, xt.rank);
    const b = coefficientAt(schedule.sqrtRecipM1AlphaBars, t, xt.rank);
    const x0 = tf.sub<tf.Tensor<R>>(tf.mul(xt, a), tf.mul(eps, b));
    return clip ? tf.clipByValue(x0, -1, 1) : x0;
  });
}

/** μ̃_t(x_t, x_0) = coef1 · x_0 + coef2 · x_t (Ho et al. 2020, eq. 7). */
export function posteriorMean<R extends tf.Rank>(
  x0: tf.Tensor<R>,
  xt: tf.Tensor<R>,
  t: Timestep,
  schedule: Schedule,
): tf.Tensor<R> {
  assertSameShape(x0, xt, 'posteriorMean x0/xt');
  assertBatchMatches(xt, t);
  return tf.tidy(() => {
    const c1 = coefficientAt(schedule.posteriorMeanCoef1, t, xt.rank);
    const c2 = coefficientAt(schedule.posteriorMeanCoef2, t, xt.rank);
    return tf.add(tf.mul(x0, c1), tf.mul(xt, c2));
  });
}
