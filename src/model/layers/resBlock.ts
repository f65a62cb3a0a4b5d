// Residual block of the DDPM U-Net (Ho et al. 2020, Appendix B; `resnet_block` in their code,
// after the Wide ResNet of Zagoruyko & Komodakis 2016):
//   h = conv1(SiLU(GN(x))) + dense(SiLU(temb))   (the embedding is added per channel)
//   h = conv2(dropout(SiLU(GN(h))))              (dropout only while training)
//   out = skip(x) + h,  skip = 1x1 conv if the channel count changes, else identity.
import * as tf from '@tensorflow/tfjs';
import { conv2d, dense, dropout, silu, type ConvWeights, type DenseWeights } from './basic';
import { groupNormSilu, type NormWeights } from './groupNorm';

export interface ResBlockWeights {
  norm1: NormWeights;
  conv1: ConvWeights;
  tembProj: DenseWeights;
  norm2: NormWeights;
  conv2: ConvWeights;
  skip?: ConvWeights;
}

export interface ResBlockOptions {
  groups: number;
  dropout: number;
  training: boolean;
  /** Seed for this block's dropout mask; undefined = fresh randomness each call. */
  dropoutSeed?: string | number;
}

export function resBlock(
  x: tf.Tensor4D,
  emb: tf.Tensor2D,
  p: ResBlockWeights,
  opts: ResBlockOptions,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [b] = x.shape;
    const cout = p.conv1.w.shape[3];
    let h = conv2d(groupNormSilu(x, p.norm1, opts.groups), p.conv1);
    const e = dense(silu(emb), p.tembProj);
    h = tf.add(h, tf.reshape(e, [b, 1, 1, cout]));
    h = groupNormSilu(h, p.norm2, opts.groups);
    if (opts.training && opts.dropout > 0) {
      h = dropout(h, opts.dropout, opts.dropoutSeed);
    }
    h = conv2d(h, p.conv2);
    const skip = p.skip ? conv2d(x, p.skip) : x;
    return tf.add(skip, h);
  });
}
