// Functional building blocks (NHWC). Weights are plain tensors so each op is testable alone.
import * as tf from '@tensorflow/tfjs';
import { fmix32, fnv1a, mulberry32Uint32 } from '../../random/seeded';

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

/**
 * 'same'-padded 2-D convolution with bias. With stride 2 the output is ceil(H/2) x ceil(W/2).
 * The bias is fused into the convolution kernel (XNNPACK on wasm adds it for free), which saves a
 * pass over the output; the gradients are those of conv2d + add.
 */
export function conv2d(x: tf.Tensor4D, p: ConvWeights, stride: 1 | 2 = 1): tf.Tensor4D {
  return tf.fused.conv2d({ x, filter: p.w, strides: stride, pad: 'same', bias: p.b });
}

/** x [N, Cin] -> [N, Cout]. */
export function dense(x: tf.Tensor2D, p: DenseWeights): tf.Tensor2D {
  return tf.tidy(() => tf.add(tf.matMul(x, p.w), p.b));
}

/** SiLU / swish, x * sigmoid(x) (Elfwing et al. 2018; the DDPM nonlinearity). */
export function silu<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => tf.mul(x, tf.sigmoid(x)));
}

/** A 32-bit hash of a seed (FNV-1a over the string form, then murmur3's finaliser). */
function seedHash(seed: string | number): number {
  return fmix32(fnv1a(String(seed)));
}

/**
 * A dropout mask of n values: 0 with probability drop / 65536, else 65536 / (65536 - drop), so
 * its mean is exactly 1. Each mulberry32 output (uint32) decides two values, 16 bits each.
 */
function dropoutMask(n: number, drop: number, seed: number): Float32Array {
  const mask = new Float32Array(n);
  const scale = 65536 / (65536 - drop);
  const next = mulberry32Uint32(seed);
  for (let i = 0; i < n; i += 2) {
    const u = next();
    if ((u & 0xffff) >= drop) mask[i] = scale;
    if (u >>> 16 >= drop && i + 1 < n) mask[i + 1] = scale;
  }
  return mask;
}

/**
 * Inverted dropout (Srivastava et al. 2014): zeroes each value with probability `rate` (rounded
 * to a multiple of 2^-16) and scales the rest so the expectation is unchanged; its gradient is the
 * same mask. The mask comes from mulberry32 on the host, seeded from `seed` (undefined: fresh
 * randomness): tf.dropout draws it with seedrandom's alea, several times slower (18 ms for
 * 64x28x28x32, ~90 ms per training step of the MNIST small preset).
 */
export function dropout<T extends tf.Tensor>(x: T, rate: number, seed?: string | number): T {
  if (!(rate >= 0 && rate < 1)) throw new Error(`dropout: rate must be in [0, 1), got ${rate}`);
  const drop = Math.min(65535, Math.round(rate * 65536));
  if (drop === 0) return tf.clone(x);
  const mask = dropoutMask(x.size, drop, seedHash(seed ?? Math.random() * 2 ** 32));
  return tf.tidy(() => tf.mul(x, tf.tensor(mask, x.shape, 'float32')));
}
