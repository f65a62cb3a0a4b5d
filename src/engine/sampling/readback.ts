// One GPU→CPU transfer for several same-shaped tensors, and a cheap yield between steps.
import * as tf from '@tensorflow/tfjs';

/**
 * Reads all tensors (same shape) with ONE `data()` call: they are concatenated on the device
 * first, because each separate read is a GPU sync + transfer (WebGPU/WebGL). The concat is taken
 * synchronously, so the caller may dispose the inputs while the read is pending. The returned
 * arrays are views into one buffer, in input order.
 */
export async function readTogether(tensors: readonly tf.Tensor[]): Promise<Float32Array[]> {
  if (tensors.length === 0) return [];
  const size = tensors[0].size;
  const joined = tf.tidy(() =>
    tensors.length === 1 ? tf.clone(tensors[0]) : tf.concat(tensors.map((t) => t.flatten())),
  );
  try {
    const all = (await joined.data()) as Float32Array;
    return tensors.map((_, i) => all.subarray(i * size, (i + 1) * size));
  } finally {
    joined.dispose();
  }
}
