// Sinusoidal timestep embedding, in the convention of the DDPM reference code
// (Ho et al. 2020, diffusion_utils `get_timestep_embedding`, itself after Vaswani et al. 2017):
//   half = dim / 2, freq_k = exp(-k * ln(10000) / (half - 1)) for k = 0 .. half-1,
//   emb(t) = [sin(t * freq_0 .. t * freq_{half-1}), cos(t * freq_0 .. t * freq_{half-1})].
// Sin comes first and the exponent divides by (half - 1), so freq_{half-1} is exactly 1/10000.
// (Some later code bases divide by `half` or put cos first; those embeddings differ.)
// An odd `dim` gets one trailing zero, as in the DDPM code.
import * as tf from '@tensorflow/tfjs';

const MAX_PERIOD = 10000;

function checkDim(dim: number): number {
  if (!Number.isInteger(dim) || dim < 4) {
    // half - 1 must be positive, otherwise the frequency formula divides by zero.
    throw new Error(`timestep embedding dim must be an integer >= 4, got ${dim}`);
  }
  return Math.floor(dim / 2);
}

/** The half = floor(dim/2) frequencies, in float64. */
export function timestepFrequencies(dim: number): Float64Array {
  const half = checkDim(dim);
  const out = new Float64Array(half);
  const scale = Math.log(MAX_PERIOD) / (half - 1);
  for (let k = 0; k < half; k++) out[k] = Math.exp(-k * scale);
  return out;
}

/**
 * Embeds a batch of timesteps (float32 or int32, shape [B]) as a float32 [B, dim] tensor.
 * The frequencies are computed in float64 and rounded once to float32.
 */
export function timestepEmbedding(t: tf.Tensor1D, dim: number): tf.Tensor2D {
  const freqs = timestepFrequencies(dim);
  return tf.tidy(() => {
    const args = tf.mul(
      tf.expandDims(tf.cast(t, 'float32'), 1),
      tf.expandDims(tf.tensor1d(Array.from(freqs), 'float32'), 0),
    ) as tf.Tensor2D;
    const emb = tf.concat([tf.sin(args), tf.cos(args)], 1);
    return dim % 2 === 1
      ? tf.pad(emb, [
          [0, 0],
          [0, 1],
        ])
      : emb;
  });
}

/** The same embedding for one timestep, in float64 (for tests and the UI). */
export function timestepEmbeddingValues(t: number, dim: number): Float64Array {
  const freqs = timestepFrequencies(dim);
  const half = freqs.length;
  const out = new Float64Array(dim); // a trailing pad entry (odd dim) stays 0
  for (let k = 0; k < half; k++) {
    out[k] = Math.sin(t * freqs[k]);
    out[half + k] = Math.cos(t * freqs[k]);
  }
  return out;
}
