// Trains the noise-aware classifier p_φ(y | x_t, t) as guided-diffusion's classifier_train.py
// does: each example gets t ~ Uniform{0..T−1} and is noised with the closed form
// x_t = √ᾱ_t x_0 + √(1−ᾱ_t) ε (Ho et al. 2020, eq. 4; `q_sample`), then softmax cross-entropy
// on (x_t, t) → y, with Adam and a warm-up + cosine learning rate. Batches, timesteps and noise
// are functions of (seed, step). As in the judge's trainer, flush() reads the losses and hits of
// every step since the last flush in one transfer.
import * as tf from '@tensorflow/tfjs';
import { sampleBatch, type Dataset } from '../../data/dataset';
import { qSample } from '../../diffusion/forward';
import type { Schedule } from '../../diffusion/schedule';
import type { NoisyClassifier } from '../../model/noisyClassifier';
import { deriveSeed, mulberry32, randInt, STREAM } from '../../random/seeded';
import { cosineLearningRate } from '../judge/schedule';
import { flatten } from '../training/flat';
import { Adam } from '../training/optimizer';

export interface NoisyClassifierTrainingOptions {
  batchSize: number;
  /** Peak Adam learning rate. */
  learningRate: number;
  epochs: number;
  warmupSteps: number;
  seed: number;
}

export const DEFAULT_NOISY_CLASSIFIER_TRAINING: NoisyClassifierTrainingOptions = {
  batchSize: 64,
  learningRate: 2e-3,
  epochs: 1,
  warmupSteps: 100,
  seed: 0,
};

/** Means over the steps since the previous flush. */
export interface NoisyClassifierStepStats {
  step: number;
  totalSteps: number;
  epoch: number;
  loss: number;
  /** Training accuracy on the noised batches (all t mixed). */
  accuracy: number;
  learningRate: number;
  imagesPerSecond: number;
}

interface Pending {
  sums: tf.Tensor1D;
  batch: number;
  learningRate: number;
}

/** Timesteps t ~ Uniform{0..T−1} of one step's batch (guided-diffusion: UniformSampler). */
export function trainingTimesteps(seed: number, step: number, n: number, T: number): Int32Array {
  const rand = mulberry32(deriveSeed(seed, STREAM.batch, step));
  return Int32Array.from({ length: n }, () => randInt(rand, T));
}

/** The seeded shuffle of one epoch (the judge's trainer draws the same one). */
export function epochOrder(seed: number, count: number, epoch: number): Uint32Array {
  const order = Uint32Array.from({ length: count }, (_, i) => i);
  const rand = mulberry32(deriveSeed(seed, STREAM.epoch, epoch));
  for (let i = count - 1; i > 0; i--) {
    const j = randInt(rand, i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

export class NoisyClassifierTrainer {
  readonly options: Readonly<NoisyClassifierTrainingOptions>;
  readonly stepsPerEpoch: number;
  readonly totalSteps: number;
  private readonly vars: tf.Variable[];
  private readonly adam: Adam;
  private steps = 0;
  private pending: Pending[] = [];
  private since = performance.now();
  private perm: { epoch: number; order: Uint32Array } | null = null;

  /** The trainer owns neither `classifier` nor `schedule`. */
  constructor(
    private readonly classifier: NoisyClassifier,
    private readonly data: Dataset,
    private readonly schedule: Schedule,
    options: Partial<NoisyClassifierTrainingOptions> = {},
  ) {
    const o = { ...DEFAULT_NOISY_CLASSIFIER_TRAINING, ...options };
    const int = (v: number, min: number) => Number.isInteger(v) && v >= min;
    if (!int(o.batchSize, 1) || !int(o.epochs, 1) || !int(o.warmupSteps, 0)) {
      throw new RangeError('batchSize and epochs must be integers >= 1, warmupSteps >= 0');
    }
    if (!(o.learningRate > 0)) throw new RangeError('learningRate must be > 0');
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
    this.vars = [...classifier.params.values()];
    this.adam = new Adam(this.vars);
  }

  get stepCount(): number {
    return this.steps;
  }

  get done(): boolean {
    return this.steps >= this.totalSteps;
  }

  learningRateAt(step: number): number {
    const { learningRate, warmupSteps } = this.options;
    return cosineLearningRate(learningRate, warmupSteps, this.totalSteps, step);
  }

  /** Data-set indices of step s: positions s·B … s·B + B − 1 of per-epoch seeded shuffles. */
  private indicesAt(step: number): Uint32Array {
    const { batchSize, seed } = this.options;
    const n = this.data.count;
    const out = new Uint32Array(batchSize);
    for (let b = 0; b < batchSize; b++) {
      const pos = step * batchSize + b;
      const epoch = Math.floor(pos / n);
      if (this.perm?.epoch !== epoch) this.perm = { epoch, order: epochOrder(seed, n, epoch) };
      out[b] = this.perm.order[pos % n];
    }
    return out;
  }

  /** Enqueues one training step (no readback). */
  step(): void {
    if (this.done) throw new Error(`training is done (${this.totalSteps} steps)`);
    const s = this.steps;
    const { seed } = this.options;
    const { images, labels, shape } = sampleBatch(this.data, this.indicesAt(s));
    const ts = trainingTimesteps(seed, s, shape[0], this.schedule.T);
    const lr = this.learningRateAt(s);
    const k = this.classifier.config.numClasses;
    const sums = tf.tidy(() => {
      const x0 = tf.tensor4d(images, shape);
      const t = tf.tensor1d(ts, 'int32');
      const eps = tf.randomNormal(shape, 0, 1, 'float32', deriveSeed(seed, STREAM.noise, s));
      const xt = qSample(x0, t, eps as tf.Tensor4D, this.schedule);
      const y = tf.tensor1d(labels, 'int32');
      const kept: { hits?: tf.Scalar } = {};
      const { value, grads } = tf.variableGrads(() => {
        const logits = this.classifier.logits(xt, t);
        const hits = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'float32'));
        kept.hits = tf.keep(hits) as tf.Scalar;
        return tf.losses.softmaxCrossEntropy(tf.oneHot(y, k), logits) as tf.Scalar;
      }, this.vars);
      this.adam.apply(flatten(this.vars.map((v) => grads[v.name] ?? tf.zerosLike(v))), lr);
      const hitCount = kept.hits;
      if (!hitCount) throw new Error('internal: no hit count');
      const packed = tf.stack([tf.mul(value, shape[0]), hitCount]) as tf.Tensor1D;
      hitCount.dispose();
      return packed;
    });
    this.pending.push({ sums, batch: shape[0], learningRate: lr });
    this.steps = s + 1;
  }

  /** Reads back the pending steps' losses and hits (one transfer); null when none. */
  async flush(): Promise<NoisyClassifierStepStats | null> {
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
