// The small score network of the 2-D playground: an MLP on (c_in·x, embedding of log σ) that
// predicts the noise ε̂, so the score of the σ-noised data is s_θ(x, σ) = −ε̂/σ (NCSNv2's
// s = net/σ output scaling, Song & Ermon 2020, Technique 3; input scaling c_in = 1/√(σ_d² + σ²)
// as in Karras et al. 2022). Any marginal x_t = a x_0 + b z is the σ = b/a one scaled by a, so
// ∇ log p_t(x) = s_θ(x/a, b/a)/a serves VP, sub-VP and VE alike.
import * as tf from '@tensorflow/tfjs';

export interface ScoreMlpConfig {
  hidden: number;
  layers: number;
  /** Sinusoidal frequencies of the log σ embedding (2× as many features). */
  frequencies: number;
  /** σ_d: the data's standard deviation, for the input scaling. */
  sigmaData: number;
}

export const DEFAULT_SCORE_MLP: Omit<ScoreMlpConfig, 'sigmaData'> = {
  hidden: 128,
  layers: 3,
  frequencies: 8,
};

export class ScoreMlp {
  readonly config: ScoreMlpConfig;
  readonly weights: tf.Variable[];

  constructor(config: ScoreMlpConfig, seed: number) {
    this.config = config;
    const dims = [2 + 2 * config.frequencies, ...Array(config.layers).fill(config.hidden), 2];
    this.weights = [];
    for (let l = 0; l + 1 < dims.length; l++) {
      // He-normal for SiLU layers; the last layer starts at zero so ε̂ = 0 (score 0) at step 0.
      const last = l + 2 === dims.length;
      const std = last ? 0 : Math.sqrt(2 / dims[l]);
      const w = last
        ? tf.zeros([dims[l], dims[l + 1]])
        : tf.randomNormal([dims[l], dims[l + 1]], 0, std, 'float32', seed + l);
      const b = tf.zeros([dims[l + 1]]);
      this.weights.push(tf.variable(w, true), tf.variable(b, true));
      // The variables hold their own reference to the data: free the initial tensors.
      w.dispose();
      b.dispose();
    }
  }

  /** ε̂ for points x [n, 2] at noise levels σ [n] (both float32). */
  predictEps(x: tf.Tensor2D, sigma: tf.Tensor1D): tf.Tensor2D {
    return tf.tidy(() => {
      const { frequencies, sigmaData } = this.config;
      const cIn = tf.rsqrt(tf.add(tf.square(sigma), sigmaData * sigmaData)).expandDims(1);
      const logSigma = tf.log(sigma).expandDims(1);
      // Frequencies 1/4 … 2^(F−3): log σ spans about −5 … 5 here.
      const freqs = tf.tensor1d(Array.from({ length: frequencies }, (_, i) => 2 ** (i - 2)));
      const phase = tf.mul(logSigma, freqs.expandDims(0));
      let h = tf.concat([tf.mul(x, cIn), tf.sin(phase), tf.cos(phase)], 1) as tf.Tensor2D;
      const L = this.weights.length / 2;
      for (let l = 0; l < L; l++) {
        h = tf.add(tf.matMul(h, this.weights[2 * l]), this.weights[2 * l + 1]) as tf.Tensor2D;
        if (l + 1 < L) h = tf.mul(h, tf.sigmoid(h)); // SiLU
      }
      return h;
    });
  }

  dispose(): void {
    for (const w of this.weights) w.dispose();
  }
}
