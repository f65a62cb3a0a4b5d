// Classifier-free guidance.
import * as tf from '@tensorflow/tfjs';
import { assertSameShape } from './coefficients';

/**
 * ε̃ = ε_u + s·(ε_c − ε_u) (Ho & Salimans 2022, classifier-free guidance eq. 6 with
 * w = s − 1, in the form used by GLIDE, Nichol et al. 2022, Sec. 2.3). s = 1 gives ε_c,
 * s = 0 gives ε_u, s > 1 extrapolates away from the unconditional prediction.
 */
export function guidedEps<R extends tf.Rank>(
  epsUncond: tf.Tensor<R>,
  epsCond: tf.Tensor<R>,
  guidanceScale: number,
): tf.Tensor<R> {
  assertSameShape(epsUncond, epsCond, 'guidedEps epsUncond/epsCond');
  if (!Number.isFinite(guidanceScale)) {
    throw new RangeError(`guidanceScale must be finite (got ${guidanceScale})`);
  }
  return tf.tidy(() => tf.add(epsUncond, tf.mul(tf.sub(epsCond, epsUncond), guidanceScale)));
}
