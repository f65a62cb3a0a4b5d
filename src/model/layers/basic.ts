// Functional building blocks (NHWC). Weights are plain tensors so each op is testable alone.
import * as tf from '@tensorflow/tfjs';

export interface ConvWeights {
  /** [k, k, Cin, Cout] */
  w: tf.Tensor4D;
  /** [Cout] */
  b: tf.Tensor1D;
}

export interface DenseWeights {
  /** [Cin, Cout] */
  w: tf.Tensor2D;
  /** [Cout] */
  b: tf.Tensor1D;
}

/** 'same'-padded 2-D convolution with bias. With stride 2 the output is ceil(H/2) x ceil(W/2). */
export function conv2d(x: tf.Tensor4D, p: ConvWeights, stride: 1 | 2 = 1): tf.Tensor4D {
  return tf.tidy(() => tf.add(tf.conv2d(x, p.w, stride, 'same'), p.b));
}

/** x [N, Cin] -> [N, Cout]. */
export function dense(x: tf.Tensor2D, p: DenseWeights): tf.Tensor2D {
  return tf.tidy(() => tf.add(tf.matMul(x, p.w), p.b));
}

/** SiLU / swish, x * sigmoid(x) (Elfwing et al. 2018; the DDPM nonlinearity). */
export function silu<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => tf.mul(x, tf.sigmoid(x)));
}
