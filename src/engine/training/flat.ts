// All parameters as one flat vector. The optimiser and the EMA work on flat copies, so a step costs
// a dozen large kernels instead of a dozen tiny ones per variable: the tiny U-Net has 129
// variables, and per-variable Adam + EMA + clipping were ~2400 of its ~5500 kernels per step
// (wasm profile), each paying a dispatch overhead (more so on WebGPU).
import * as tf from '@tensorflow/tfjs';

/** Concatenation of the tensors' values, in order, as one [N] vector. */
export function flatten(tensors: readonly tf.Tensor[]): tf.Tensor1D {
  return tf.tidy(() => tf.concat(tensors.map((t) => tf.reshape(t, [-1]))) as tf.Tensor1D);
}

/** The inverse of flatten for the given shapes. */
export function unflatten(flat: tf.Tensor1D, shapes: readonly number[][]): tf.Tensor[] {
  const sizes = shapes.map((s) => s.reduce((a, b) => a * b, 1));
  return tf.tidy(() => tf.split(flat, sizes).map((part, i) => tf.reshape(part, shapes[i])));
}

/** Total number of elements. */
export function totalSize(tensors: readonly tf.Tensor[]): number {
  return tensors.reduce((n, t) => n + t.size, 0);
}
