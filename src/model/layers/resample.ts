// Resolution changes between U-Net levels (DDPM `downsample` / `upsample` with_conv=True).
import * as tf from '@tensorflow/tfjs';
import { conv2d, type ConvWeights } from './basic';

/** 3x3 conv with stride 2 and 'same' padding: H -> ceil(H/2) (28 -> 14 -> 7). */
export function downsample(x: tf.Tensor4D, p: ConvWeights): tf.Tensor4D {
  return conv2d(x, p, 2);
}

/** Nearest-neighbour x2 (each pixel repeated 2x2), then a 3x3 conv: H -> 2H (7 -> 14 -> 28). */
export function upsample(x: tf.Tensor4D, p: ConvWeights): tf.Tensor4D {
  const [, h, w] = x.shape;
  return tf.tidy(() => conv2d(tf.image.resizeNearestNeighbor(x, [2 * h, 2 * w]), p));
}
