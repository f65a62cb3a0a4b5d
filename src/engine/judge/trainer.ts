// Trains the judge: softmax cross-entropy (optionally with label smoothing, Szegedy et al. 2016,
// §7), Adam (the flat-vector Adam of the U-Net trainer) with a warm-up + cosine learning rate,
// epoch-wise shuffled batches with random ±maxShift px shifts and optional horizontal flips.
// Batch-norm layers ('vgg') train on batch statistics; calibrateBatchNorm sets their population
// statistics afterwards.
// Device work is enqueued step by step; flush() reads the losses and hits of every step since
// the last flush in ONE transfer (one readback per log line).
import * as tf from '@tensorflow/tfjs';
import { sampleBatch, type Dataset } from '../../data/dataset';
import type { Classifier } from '../../model/classifier';
import { flatten } from '../training/flat';
import { Adam } from '../training/optimizer';
import { deriveSeed, mulberry32, randInt, STREAM } from '../../random/seeded';
import { flipImages, shiftImages } from './augment';
import { cosineLearningRate } from './schedule';

export interface ClassifierTrainingOptions {
  batchSize: number;
  /** Peak Adam learning rate. */
  learningRate: number;
  epochs: number;
  warmupSteps: number;
  /** Largest random translation in pixels (0: no augmentation). */
  maxShift: number;
  /** Dropout on the features while training. */
  dropout: number;
  /** Mirror each training image left-right with probability 1/2. */
  flip: boolean;
  /** ε of label smoothing: targets (1 − ε)·onehot + ε/K (0: none). */
  labelSmoothing: number;
  /**
   * Wall-clock budget in seconds (0: none). The cosine then runs over
   * max(step / totalSteps, elapsed / budget) and training ends when either reaches 1: on a
   * shared machine the schedule still completes on time ("budgeted training", Li et al. 2020).
   */
  timeBudgetSeconds: number;
  seed: number;
}

export const DEFAULT_CLASSIFIER_TRAINING: ClassifierTrainingOptions = {
  batchSize: 64,
  learningRate: 2e-3,
  epochs: 4,
  warmupSteps: 100,
  maxShift: 2,
  dropout: 0.25,
  flip: false,
  labelSmoothing: 0,
  timeBudgetSeconds: 0,
  seed: 0,
};

/** Means over the steps since the previous flush. */
export interface ClassifierStepStats {
  /** Steps done so far (1-based count). */
  step: number;
  totalSteps: number;
  /** Fractional epochs done. */
  epoch: number;
  loss: number;
  /** Training accuracy on the (augmented) batches. */
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

export class ClassifierTrainer {
  readonly options: Readonly<ClassifierTrainingOptions>;
  readonly stepsPerEpoch: number;
  readonly totalSteps: number;
  private readonly vars: tf.Variable[];
  private readonly adam: Adam;
  private steps = 0;
  private pending: Pending[] = [];
  private since = performance.now();
  private perm: { epoch: number; order: Uint32Array } | null = null;

  /** The trainer does not own `classifier`. */
  constructor(
    private readonly classifier: Classifier,
    private readonly data: Dataset,
    options: Partial<ClassifierTrainingOptions> = {},
  ) {
    const o = { ...DEFAULT_CLASSIFIER_TRAINING, ...options };
    const int = (v: number, min: number) => Number.isInteger(v) && v >= min;
    if (!int(o.batchSize, 1) || !int(o.epochs, 1) || !int(o.warmupSteps, 0)) {
      throw new RangeError('batchSize and epochs must be integers >= 1, warmupSteps >= 0');
    }
    if (!int(o.maxShift, 0) || !(o.learningRate > 0) || !(o.dropout >= 0 && o.dropout < 1)) {
      throw new RangeError('maxShift must be an integer >= 0, learningRate > 0, dropout in [0, 1)');
    }
    if (!(o.labelSmoothing >= 0 && o.labelSmoothing < 1)) {
      throw new RangeError('labelSmoothing must be in [0, 1)');
    }
    if (!(o.timeBudgetSeconds >= 0)) throw new RangeError('timeBudgetSeconds must be >= 0');
    if (data.count < 1) throw new RangeError('the data set is empty');
    const { imageSize: s, inChannels: c, numClasses } = classifier.config;
    if (data.height !== s || data.width !== s || data.channels !== c) {
      throw new RangeError(
        `the data set has ${data.height}x${data.width}x${data.channels} images, the classifier takes ${s}x${s}x${c}`,
      );
    }
    if (data.classNames.length > numClasses) {
      throw new RangeError(`${data.classNames.length} classes for a ${numClasses}-way classifier`);
    }
    this.options = o;
    this.stepsPerEpoch = Math.ceil(data.count / o.batchSize);
    this.totalSteps = this.stepsPerEpoch * o.epochs;
    this.vars = classifier.trainableVariables();
    this.adam = new Adam(this.vars);
  }

  get stepCount(): number {
    return this.steps;
  }

  private startedAt: number | null = null;

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
    const n = this.data.count;
    const out = new Uint32Array(batchSize);
    for (let b = 0; b < batchSize; b++) {
      const pos = step * batchSize + b;
      const epoch = Math.floor(pos / n);
      if (this.perm?.epoch !== epoch) {
        const order = Uint32Array.from({ length: n }, (_, i) => i);
        const rand = mulberry32(deriveSeed(seed, STREAM.epoch, epoch));
        for (let i = n - 1; i > 0; i--) {
          const j = randInt(rand, i + 1);
          [order[i], order[j]] = [order[j], order[i]];
        }
        this.perm = { epoch, order };
      }
      out[b] = this.perm.order[pos % n];
    }
    return out;
  }

  /** Enqueues one training step (no readback). */
  step(): void {
    if (this.done) throw new Error(`training is done (${this.totalSteps} steps)`);
    this.startedAt ??= performance.now();
    const s = this.steps;
    const { seed, maxShift, dropout, flip, labelSmoothing } = this.options;
    const { images, labels, shape } = sampleBatch(this.data, this.indicesAt(s));
    let x = images;
    if (maxShift > 0) {
      const rand = mulberry32(deriveSeed(seed, STREAM.batch, s));
      const shift = () => randInt(rand, 2 * maxShift + 1) - maxShift;
      const dy = Int32Array.from({ length: shape[0] }, shift);
      const dx = Int32Array.from({ length: shape[0] }, shift);
      x = shiftImages(images, shape, dy, dx);
    }
    if (flip) {
      const rand = mulberry32(deriveSeed(seed, STREAM.noise, s));
      x = flipImages(
        x,
        shape,
        Array.from({ length: shape[0] }, () => rand() < 0.5),
      );
    }
    const lr = this.learningRateAt(s);
    const k = this.classifier.config.numClasses;
    const sums = tf.tidy(() => {
      const xt = tf.tensor4d(x, shape);
      const y = tf.tensor1d(labels, 'int32');
      const kept: { hits?: tf.Scalar } = {};
      const { value, grads } = tf.variableGrads(() => {
        const { logits } = this.classifier.apply(xt, {
          dropout,
          dropoutSeed: deriveSeed(seed, STREAM.dropout, s),
          batchStatistics: true,
        });
        const hits = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'float32'));
        kept.hits = tf.keep(hits) as tf.Scalar;
        return tf.losses.softmaxCrossEntropy(
          tf.oneHot(y, k),
          logits,
          undefined,
          labelSmoothing,
        ) as tf.Scalar;
      }, this.vars);
      this.adam.apply(flatten(this.vars.map((v) => grads[v.name] ?? tf.zerosLike(v))), lr);
      const hitCount = kept.hits;
      if (!hitCount) throw new Error('internal: no hit count');
      const packed = tf.stack([tf.mul(value, shape[0]), hitCount]) as tf.Tensor1D;
      hitCount.dispose(); // kept out of variableGrads' tidy, so not freed by this one
      return packed;
    });
    this.pending.push({ sums, batch: shape[0], learningRate: lr });
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
