// Group normalisation (Wu & He 2018), which DDPM uses in place of weight normalisation.
// tfjs has no GroupNorm layer, so: split channels into G groups, normalise each group with the
// mean and (biased) variance over H, W and the channels of the group, then scale and shift.
import * as tf from '@tensorflow/tfjs';

export interface NormWeights {
  /** [C] */
  gamma: tf.Tensor1D;
  /** [C] */
  beta: tf.Tensor1D;
}

export function groupNorm(x: tf.Tensor4D, p: NormWeights, groups: number, eps = 1e-5): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  if (c % groups !== 0)
    throw new Error(`groupNorm: ${c} channels not divisible by ${groups} groups`);
  return tf.tidy(() => {
    const xg = tf.reshape(x, [b, h, w, groups, c / groups]);
    const { mean, variance } = tf.moments(xg, [1, 2, 4], true);
    const normed = tf.mul(tf.sub(xg, mean), tf.rsqrt(tf.add(variance, eps)));
    return tf.add(tf.mul(tf.reshape(normed, [b, h, w, c]), p.gamma), p.beta);
  });
}
