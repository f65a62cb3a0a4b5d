// The training loop both small classifiers share (the judge, engine/judge/trainer.ts, and the
// noise-aware classifier, engine/noisyClassifier/trainer.ts): epoch-wise seeded shuffles, softmax
// cross-entropy (optionally label-smoothed, Szegedy et al. 2016, §7), Adam (the flat-vector Adam
// of the U-Net trainer) with a warm-up + cosine learning rate, optionally on a wall-clock budget.
// Device work is enqueued step by step; flush() reads the losses and hits of every step since the
// last flush in ONE transfer (one readback per log line). What differs between the two trainers
// (augmentation; noising x_0 to x_t at a random t) is the caller's `logits` function.
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../../data/dataset';
import { deriveSeed, mulberry32, randInt, STREAM } from '../../random/seeded';
import { cosineLearningRate } from '../judge/schedule';
import { flatten } from './flat';
import { Adam } from './optimizer';

export interface ClassifierLoopOptions {
  batchSize: number;
  /** Peak Adam learning rate. */
  learningRate: number;
  epochs: number;
  warmupSteps: number;
  /**
   * Wall-clock budget in seconds (0: none). The cosine then runs over
   * max(step / totalSteps, elapsed / budget) and training ends when either reaches 1: on a
   * shared machine the schedule still completes on time ("budgeted training", Li et al. 2020).
   */
  timeBudgetSeconds: number;
  seed: number;
}

/** Means over the steps since the previous flush. */
export interface ClassifierStepStats {
  /** Steps done so far (1-based count). */
  step: number;
  totalSteps: number;
  /** Fractional epochs done. */
  epoch: number;
  loss: number;
  /** Training accuracy on the batches as trained on (augmented or noised). */
  accuracy: number;
  learningRate: number;
  imagesPerSecond: number;
}

interface Pending {
  /** [2]: summed loss over the batch and number of correct predictions. */
  sums: tf.Tensor1D;
  batch: number;
  learningRate: number;
}

/** The seeded shuffle of one epoch (both classifiers' trainers draw the same one). */
export function epochOrder(seed: number, count: number, epoch: number): Uint32Array {
  const order = Uint32Array.from({ length: count }, (_, i) => i);
  const rand = mulberry32(deriveSeed(seed, STREAM.epoch, epoch));
  for (let i = count - 1; i > 0; i--) {
    const j = randInt(rand, i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** Throws a RangeError unless `data` fits a classifier of this input size and class count. */
export function checkClassifierData(
  data: Dataset,
  config: { imageSize: number; inChannels: number; numClasses: number },
): void {
  if (data.count < 1) throw new RangeError('the data set is empty');
  const { imageSize: s, inChannels: c, numClasses } = config;
  if (data.height !== s || data.width !== s || data.channels !== c) {
    throw new RangeError(
      `the data set has ${data.height}x${data.width}x${data.channels} images, the classifier takes ${s}x${s}x${c}`,
    );
  }
  if (data.classNames.length > numClasses) {
    throw new RangeError(`${data.classNames.length} classes for a ${numClasses}-way classifier`);
  }
}

export class ClassifierLoop {
  readonly stepsPerEpoch: number;
  readonly totalSteps: number;
  private readonly adam: Adam;
  private steps = 0;
  private pending: Pending[] = [];
  private since = performance.now();
  private startedAt: number | null = null;
  private perm: { epoch: number; order: Uint32Array } | null = null;

  /** Trains `vars` (not owned) on `count` examples. */
  constructor(
    private readonly vars: tf.Variable[],
    private readonly count: number,
    readonly options: Readonly<ClassifierLoopOptions>,
  ) {
    const o = options;
    const int = (v: number, min: number) => Number.isInteger(v) && v >= min;
    if (!int(o.batchSize, 1) || !int(o.epochs, 1) || !int(o.warmupSteps, 0)) {
      throw new RangeError('batchSize and epochs must be integers >= 1, warmupSteps >= 0');
    }
    if (!(o.learningRate > 0)) throw new RangeError('learningRate must be > 0');
    if (!(o.timeBudgetSeconds >= 0)) throw new RangeError('timeBudgetSeconds must be >= 0');
    if (!int(count, 1)) throw new RangeError('the data set is empty');
    this.stepsPerEpoch = Math.ceil(count / o.batchSize);
    this.totalSteps = this.stepsPerEpoch * o.epochs;
    this.adam = new Adam(vars);
  }

  get stepCount(): number {
    return this.steps;
  }

  /** Fraction of the schedule done: of the steps, or of the time budget if further along. */
  progress(step = this.steps): number {
    const budget = this.options.timeBudgetSeconds;
    const bySteps = step / this.totalSteps;
    if (!(budget > 0) || this.startedAt === null) return bySteps;
    return Math.max(bySteps, (performance.now() - this.startedAt) / 1000 / budget);
  }

  get done(): boolean {
    return this.progress() >= 1;
  }

  learningRateAt(step: number): number {
    const { learningRate, warmupSteps } = this.options;
    if (step < warmupSteps || this.progress(step) === step / this.totalSteps) {
      return cosineLearningRate(learningRate, warmupSteps, this.totalSteps, step);
    }
    // Behind on time: the cosine's position follows the clock (same curve, warm-up excluded).
    const span = this.totalSteps - warmupSteps;
    const equivalent = warmupSteps + Math.min(1, this.progress(step)) * span;
    return cosineLearningRate(learningRate, warmupSteps, this.totalSteps, equivalent);
  }

  /** Data-set indices of step s: positions s·B … s·B + B − 1 of per-epoch seeded shuffles. */
  indicesAt(step: number): Uint32Array {
    const { batchSize, seed } = this.options;
    const n = this.count;
    const out = new Uint32Array(batchSize);
    for (let b = 0; b < batchSize; b++) {
      const pos = step * batchSize + b;
      const epoch = Math.floor(pos / n);
      if (this.perm?.epoch !== epoch) this.perm = { epoch, order: epochOrder(seed, n, epoch) };
      out[b] = this.perm.order[pos % n];
    }
    return out;
  }

  /** The step that the next enqueue() runs; starts the clock of the time budget. */
  begin(): number {
    if (this.done) throw new Error(`training is done (${this.totalSteps} steps)`);
    this.startedAt ??= performance.now();
    return this.steps;
  }

  /**
   * One Adam step on the cross-entropy of `logits()` (called inside the gradient tape) against
   * `labels` (no readback). Call inside no tidy of your own; begin() first.
   */
  enqueue(
    labels: Int32Array,
    numClasses: number,
    logits: () => tf.Tensor2D,
    labelSmoothing = 0,
  ): void {
    const s = this.steps;
    const lr = this.learningRateAt(s);
    const batch = labels.length;
    const sums = tf.tidy(() => {
      const y = tf.tensor1d(labels, 'int32');
      const kept: { hits?: tf.Scalar } = {};
      const { value, grads } = tf.variableGrads(() => {
        const z = logits();
        const hits = tf.sum(tf.cast(tf.equal(tf.argMax(z, 1), y), 'float32'));
        kept.hits = tf.keep(hits) as tf.Scalar;
        const onehot = tf.oneHot(y, numClasses);
        return tf.losses.softmaxCrossEntropy(onehot, z, undefined, labelSmoothing) as tf.Scalar;
      }, this.vars);
      this.adam.apply(flatten(this.vars.map((v) => grads[v.name] ?? tf.zerosLike(v))), lr);
      const hitCount = kept.hits;
      if (!hitCount) throw new Error('internal: no hit count');
      const packed = tf.stack([tf.mul(value, batch), hitCount]) as tf.Tensor1D;
      hitCount.dispose(); // kept out of variableGrads' tidy, so not freed by this one
      return packed;
    });
    this.pending.push({ sums, batch, learningRate: lr });
    this.steps = s + 1;
  }

  /** Reads back the pending steps' losses and hits (one transfer); null when none. */
  async flush(): Promise<ClassifierStepStats | null> {
    const pending = this.pending;
    if (pending.length === 0) return null;
    this.pending = [];
    const packed = tf.tidy(() => tf.concat(pending.map((p) => p.sums)));
    tf.dispose(pending.map((p) => p.sums));
    let values: Float32Array;
    try {
      values = (await packed.data()) as Float32Array;
    } finally {
      packed.dispose();
    }
    let loss = 0;
    let hits = 0;
    let images = 0;
    pending.forEach((p, i) => {
      loss += values[2 * i];
      hits += values[2 * i + 1];
      images += p.batch;
    });
    if (!Number.isFinite(loss)) {
      throw new Error(
        `the classifier's loss is ${loss} at step ${this.steps}: lower the learning rate`,
      );
    }
    const now = performance.now();
    const seconds = (now - this.since) / 1000;
    this.since = now;
    return {
      step: this.steps,
      totalSteps: this.totalSteps,
      epoch: this.steps / this.stepsPerEpoch,
      loss: loss / images,
      accuracy: hits / images,
      learningRate: pending[pending.length - 1].learningRate,
      imagesPerSecond: seconds > 0 ? images / seconds : 0,
    };
  }

  dispose(): void {
    tf.dispose(this.pending.map((p) => p.sums));
    this.pending = [];
    this.adam.dispose();
  }
}
