// Exponential moving average of the weights, kept apart from them (one flat vector, see flat.ts)
// and used for sampling: DDPM samples with an EMA of decay 0.9999 (Ho et al. 2020, Appendix B),
// an average over ~10k steps (1/(1 − d)) of an 800k-step run. Live browser runs last thousands of
// steps, so the default here is 0.999. The decay follows TensorFlow's ExponentialMovingAverage
// with num_updates, d_n = min(decay, (1 + n) / (10 + n)), so the average is not dominated by the
// random initial weights: its window 1/(1 − d_n) = (10 + n)/9 is about n/9 steps (≈ 220 at step
// 2 000), and the cap 0.999 (a ~1 000-step window) applies only from step 8 990 on.
import * as tf from '@tensorflow/tfjs';
import type { Params } from '../../model/params';
import { flatten, unflatten } from './flat';

export const DEFAULT_EMA_DECAY = 0.999;

/**
 * Steps after which the EMA stands for the recent weights: its averaging window at full decay,
 * 1/(1 − decay) (1000 steps at 0.999). Before that, samples from it still carry the early,
 * near-random weights, so live previews use the raw weights until then.
 */
export function emaWarmupSteps(decay: number): number {
  return Math.round(1 / (1 - decay));
}

/** Effective decay for the update after n previous updates. */
export function emaDecayAt(decay: number, updates: number): number {
  return Math.min(decay, (1 + updates) / (10 + updates));
}

export class Ema {
  /** The averaged parameters, flattened in the source map's order. */
  readonly flat: tf.Variable<tf.Rank.R1>;
  /** Number of updates applied. */
  updates = 0;
  private readonly names: string[];
  private readonly shapes: number[][];

  constructor(
    private readonly source: Params,
    readonly decay = DEFAULT_EMA_DECAY,
  ) {
    if (!(decay >= 0 && decay < 1)) {
      throw new RangeError(`EMA decay must be in [0, 1) (got ${decay})`);
    }
    this.names = [...source.keys()];
    this.shapes = [...source.values()].map((v) => [...v.shape]);
    this.flat = tf.tidy(() => tf.variable(flatten([...source.values()]), false));
  }

  /** ema ← d·ema + (1−d)·w. Device work only. */
  update(): void {
    const d = emaDecayAt(this.decay, this.updates);
    tf.tidy(() => {
      const w = flatten([...this.source.values()]);
      this.flat.assign(tf.add(tf.mul(this.flat, d), tf.mul(w, 1 - d)));
    });
    this.updates += 1;
  }

  /** A copy of the averaged parameters by name (new non-trainable variables: the caller's). */
  params(): Params {
    const parts = unflatten(this.flat, this.shapes);
    const out: Params = new Map();
    parts.forEach((p, i) => {
      out.set(this.names[i], tf.variable(p, false));
      p.dispose();
    });
    return out;
  }

  dispose(): void {
    this.flat.dispose();
  }
}
