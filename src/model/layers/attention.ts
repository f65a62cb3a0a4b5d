// Self-attention block of the DDPM U-Net (Ho et al. 2020, Appendix B: "a self-attention block
// at the 16x16 resolution"; `attn_block` in their code): single head over the H*W positions,
//   h = GroupNorm(x); q, k, v = h Wq, h Wk, h Wv (1x1 convs = dense over channels);
//   out = x + proj(softmax(q k^T / sqrt(C)) v).
import * as tf from '@tensorflow/tfjs';
import { dense, type DenseWeights } from './basic';
import { groupNorm, type NormWeights } from './groupNorm';

export interface AttentionWeights {
  norm: NormWeights;
  /** Fused q|k|v projection: w [C, 3C], b [3C]. */
  qkv: DenseWeights;
  /** Output projection [C, C] (zero-initialised in DDPM, so the block starts as the identity). */
  proj: DenseWeights;
}

export function attentionBlock(x: tf.Tensor4D, p: AttentionWeights, groups: number): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  const n = h * w;
  return tf.tidy(() => {
    const normed = tf.reshape<tf.Rank.R2>(groupNorm(x, p.norm, groups), [b * n, c]);
    const qkv = tf.reshape(dense(normed, p.qkv), [b, n, 3 * c]);
    const [q, k, v] = tf.split(qkv, 3, 2) as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
    // Scaling q (n*c products) instead of the n*n logits gives the same softmax argument.
    const logits = tf.matMul(tf.mul(q, 1 / Math.sqrt(c)), k, false, true); // [b, n, n]
    const out = tf.matMul(tf.softmax(logits), v); // [b, n, c]
    const projected = dense(tf.reshape<tf.Rank.R2>(out, [b * n, c]), p.proj);
    return tf.add(x, tf.reshape(projected, [b, h, w, c]));
  });
}
