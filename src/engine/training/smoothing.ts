// Display smoothing of the noisy training loss (the raw values are always reported too).
import { LOSS_BUCKETS } from './loss';

/**
 * Exponential moving average with bias correction (as in Adam): after n values it reports
 * s_n / (1 − βⁿ), so the first values are not pulled towards 0. β = 0.98 averages over ~50 steps,
 * like TensorBoard's smoothing slider at 0.98.
 */
export class Smoother {
  private s = 0;
  private n = 0;

  constructor(readonly beta = 0.98) {}

  push(x: number): number {
    this.s = this.beta * this.s + (1 - this.beta) * x;
    this.n += 1;
    return this.value;
  }

  /** NaN before the first value. */
  get value(): number {
    return this.n === 0 ? Number.NaN : this.s / (1 - this.beta ** this.n);
  }
}

/**
 * Per t-bucket running average of the per-example loss, exponentially weighted per example:
 * each new example multiplies the weight of the older ones in its bucket by β = 0.99 (about the
 * last 100 examples of each bucket count). Low-t buckets have a much larger loss than high-t ones
 * (predicting ε from a nearly clean image is hard: the noise is a small part of x_t), which a
 * single curve hides.
 */
export class BucketAverages {
  private readonly sums = new Array<number>(LOSS_BUCKETS).fill(0);
  private readonly weights = new Array<number>(LOSS_BUCKETS).fill(0);

  constructor(readonly beta = 0.99) {}

  /** Adds one report's per-bucket sums and counts (the examples of a report weigh equally). */
  push(sums: readonly number[], counts: readonly number[]): void {
    for (let k = 0; k < LOSS_BUCKETS; k++) {
      if (counts[k] === 0) continue;
      const decay = this.beta ** counts[k];
      this.sums[k] = decay * this.sums[k] + sums[k];
      this.weights[k] = decay * this.weights[k] + counts[k];
    }
  }

  /** The averages; null for a bucket that has seen no example yet. */
  get values(): (number | null)[] {
    return this.sums.map((s, k) => (this.weights[k] > 0 ? s / this.weights[k] : null));
  }
}
