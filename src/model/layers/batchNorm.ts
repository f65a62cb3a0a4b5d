// Batch normalisation (Ioffe & Szegedy 2015, Alg. 1) for the CIFAR-10 judge, NHWC:
//   training:  x̂ = (x − μ_B) / √(σ²_B + ε),  y = γ·x̂ + β   (μ_B, σ²_B over N, H and W)
//   inference: the same with the population μ and σ² in place of the batch's.
// The population statistics are not a running average: after training they are measured over
// training images with the final weights ("precise BN", Wu & Johnson 2021, §4), see
// engine/judge/calibrate.ts.
//
// The training form has a hand-written gradient (Ioffe & Szegedy 2015, §3):
//   ∂L/∂β = Σ dy,  ∂L/∂γ = Σ dy·x̂,
//   ∂L/∂x = γ / (m·√(σ²_B + ε)) · (m·dy − Σ dy − x̂·Σ dy·x̂),   m = N·H·W,
// and every sum over the m positions is a [1, m] × [m, C] matMul: on wasm tfjs's autodiff of
// tf.moments reduces over the outer axes with transposes and costs twice the whole conv net.
import * as tf from '@tensorflow/tfjs';

export interface BatchNormWeights {
  /** [C] scale γ */
  gamma: tf.Tensor1D;
  /** [C] shift β */
  beta: tf.Tensor1D;
}

export interface BatchNormStats {
  /** [C] */
  mean: tf.Tensor1D;
  /** [C] biased variance */
  variance: tf.Tensor1D;
}

export const BATCH_NORM_EPSILON = 1e-5;

/** Mean and biased variance of x [N, H, W, C] over N, H, W (as [C] tensors). */
export function batchMoments(x: tf.Tensor4D): BatchNormStats {
  return tf.tidy(() => {
    const c = x.shape[3];
    const m = x.size / c;
    const flat = tf.reshape(x, [m, c]) as tf.Tensor2D;
    const avg = tf.fill([1, m], 1 / m) as tf.Tensor2D;
    const mean = tf.matMul(avg, flat);
    const variance = tf.matMul(avg, tf.square(tf.sub(flat, mean)));
    return { mean: tf.reshape(mean, [c]) as tf.Tensor1D, variance: tf.reshape(variance, [c]) };
  }) as BatchNormStats;
}

/** Training-mode batch normalisation: normalised with the batch's own statistics. */
export function batchNormTrain(x: tf.Tensor4D, p: BatchNormWeights): tf.Tensor4D {
  const c = x.shape[3];
  const m = x.size / c;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xIn, gamma, beta] = args as tf.Tensor[];
    const save = args[3] as tf.GradSaveFunc;
    const flat = tf.reshape(xIn, [m, c]) as tf.Tensor2D;
    const avg = tf.fill([1, m], 1 / m) as tf.Tensor2D;
    const centred = tf.sub(flat, tf.matMul(avg, flat));
    const invStd = tf.rsqrt(tf.add(tf.matMul(avg, tf.square(centred)), BATCH_NORM_EPSILON));
    const xHat = tf.mul(centred, invStd);
    save([xHat, invStd, gamma]);
    const value = tf.reshape(tf.add(tf.mul(xHat, gamma), beta), xIn.shape);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      const [xh, inv, g] = saved;
      const d = tf.reshape(dy, [m, c]) as tf.Tensor2D;
      const ones = tf.ones([1, m]) as tf.Tensor2D;
      const dBeta = tf.matMul(ones, d);
      const dGamma = tf.matMul(ones, tf.mul(d, xh) as tf.Tensor2D);
      const scale = tf.div(tf.mul(g, inv), m);
      const dx = tf.mul(tf.sub(tf.sub(tf.mul(d, m), dBeta), tf.mul(xh, dGamma)), scale);
      return [tf.reshape(dx, xIn.shape), tf.reshape(dGamma, [c]), tf.reshape(dBeta, [c])];
    };
    return { value, gradFunc };
  });
  return op(x, p.gamma, p.beta) as tf.Tensor4D;
}

/** Inference-mode batch normalisation with fixed (population) statistics. */
export function batchNormInfer(
  x: tf.Tensor4D,
  p: BatchNormWeights,
  stats: BatchNormStats,
): tf.Tensor4D {
  return tf.tidy(() => {
    const scale = tf.mul(p.gamma, tf.rsqrt(tf.add(stats.variance, BATCH_NORM_EPSILON)));
    const shift = tf.sub(p.beta, tf.mul(stats.mean, scale));
    return tf.add(tf.mul(x, scale), shift);
  });
}
