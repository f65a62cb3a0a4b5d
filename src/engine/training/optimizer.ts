// Adam with linear learning-rate warm-up and global-norm gradient clipping: the DDPM recipe
// (Ho et al. 2020, Appendix B: Adam, lr 2e-4 (CIFAR-10), 5000 warm-up steps, grad clip 1.0).
//
// Why not tf.train.adam: its update is the same, and its learning rate (a protected field read on
// every applyGradients) could be changed, but its moment estimates and bias-correction
// accumulators are private (rolling back after a NaN and saving the state for --resume need
// them), and it runs ~14 small kernels per variable. Ours keeps the moments as two flat vectors
// (see flat.ts). optimizer.test.ts checks that our updates equal tf.train.adam's.
import * as tf from '@tensorflow/tfjs';
import { totalSize, unflatten } from './flat';

export interface AdamOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/** lr at 0-based step s: ramps linearly from lr/warmup to lr over the first `warmup` steps. */
export function warmupLearningRate(lr: number, warmupSteps: number, step: number): number {
  if (warmupSteps <= 0) return lr;
  return lr * Math.min(1, (step + 1) / warmupSteps);
}

/**
 * The factor that makes a gradient's global L2 norm at most maxNorm (tf.clip_by_global_norm:
 * maxNorm / max(‖g‖, maxNorm)); 1 when maxNorm is 0 or not finite (clipping off). Also returns
 * ‖g‖ before clipping. Device-side: nothing is read back.
 */
export function clipScale(
  flatGrad: tf.Tensor1D,
  maxNorm: number,
): { scale: tf.Scalar; norm: tf.Scalar } {
  return tf.tidy(() => {
    // sqrt(sum(g²)) rather than tf.norm, whose abs + pow(., 2) cost 4x more on wasm.
    const norm = tf.sqrt(tf.sum(tf.square(flatGrad))) as tf.Scalar;
    const on = Number.isFinite(maxNorm) && maxNorm > 0;
    const scale = on ? (tf.div(maxNorm, tf.maximum(norm, maxNorm)) as tf.Scalar) : tf.scalar(1);
    return { scale, norm };
  });
}

/**
 * Adam (Kingma & Ba 2015, Alg. 1):
 *   m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²,  w ← w − lr · m̂ / (√v̂ + ε),
 * with m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ), the bias corrections computed in float64 on the JS side.
 */
export class Adam {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  /** First and second moments of all variables, flattened in the constructor's order. */
  readonly m: tf.Variable<tf.Rank.R1>;
  readonly v: tf.Variable<tf.Rank.R1>;
  /** Number of updates applied (Adam's t). */
  updates = 0;
  private readonly shapes: number[][];

  constructor(
    private readonly vars: readonly tf.Variable[],
    opts: AdamOptions = {},
  ) {
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.epsilon = opts.epsilon ?? 1e-8;
    this.shapes = vars.map((w) => [...w.shape]);
    const n = totalSize(vars);
    // Inside tidy the temporary zeros are freed; tidy never disposes variables.
    this.m = tf.tidy(() => tf.variable(tf.zeros([n]), false));
    this.v = tf.tidy(() => tf.variable(tf.zeros([n]), false));
  }

  /**
   * One update from the flattened gradient (see flat.ts), optionally multiplied by `gradScale`
   * (clipping). Enqueues device work only.
   */
  apply(flatGrad: tf.Tensor1D, learningRate: number, gradScale?: tf.Scalar): void {
    if (flatGrad.size !== this.m.size) {
      throw new Error(`Adam: gradient of size ${flatGrad.size} for ${this.m.size} parameters`);
    }
    const t = this.updates + 1;
    tf.tidy(() => {
      const { beta1: b1, beta2: b2 } = this;
      const g = gradScale ? tf.mul(flatGrad, gradScale) : flatGrad;
      const m = tf.add(tf.mul(this.m, b1), tf.mul(g, 1 - b1)) as tf.Tensor1D;
      const v = tf.add(tf.mul(this.v, b2), tf.mul(tf.square(g), 1 - b2)) as tf.Tensor1D;
      this.m.assign(m);
      this.v.assign(v);
      const vHat = tf.mul(v, 1 / (1 - b2 ** t));
      const step = -learningRate / (1 - b1 ** t);
      const update = tf.mul(tf.div(m, tf.add(tf.sqrt(vHat), this.epsilon)), step) as tf.Tensor1D;
      unflatten(update, this.shapes).forEach((u, i) =>
        this.vars[i].assign(tf.add(this.vars[i], u)),
      );
    });
    this.updates = t;
  }

  dispose(): void {
    this.m.dispose();
    this.v.dispose();
  }
}
