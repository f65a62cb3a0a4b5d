// Trains the latent-diffusion autoencoder (src/model/autoencoder.ts) on L = ‖x − D(z)‖² + β·KL
// with Adam (the flat-vector Adam of the U-Net trainer), a linear warm-up and epoch-wise seeded
// shuffles. Steps only enqueue device work; flush() reads the losses of every step since the last
// flush in one transfer.
import * as tf from '@tensorflow/tfjs';
import { sampleBatch, type Dataset } from '../../data/dataset';
import { autoencoderLoss, latentShape, type Autoencoder } from '../../model/autoencoder';
import { deriveSeed, mulberry32, randInt, STREAM } from '../../random/seeded';
import { flatten } from '../training/flat';
import { Adam, warmupLearningRate } from '../training/optimizer';

export interface AutoencoderTrainingOptions {
  batchSize: number;
  learningRate: number;
  warmupSteps: number;
  steps: number;
  /** Weight β of the KL term; LDM's KL-f4 autoencoder uses 1e-6. */
  klWeight: number;
  seed: number;
}

export const DEFAULT_AUTOENCODER_TRAINING: AutoencoderTrainingOptions = {
  batchSize: 64,
  learningRate: 2e-3,
  warmupSteps: 50,
  steps: 1500,
  klWeight: 1e-6,
  seed: 0,
};

/** Means over the steps since the previous flush. */
export interface AutoencoderStepStats {
  step: number;
  totalSteps: number;
  /** Reconstruction + β·KL per image. */
  loss: number;
  /** Per-pixel mean squared error of the reconstructions (model range [-1, 1]). */
  mse: number;
  /** KL per image (summed over the latent's elements). */
  kl: number;
  learningRate: number;
  imagesPerSecond: number;
}

export function checkAutoencoderTraining(o: AutoencoderTrainingOptions): void {
  const int = (v: number, min: number) => Number.isSafeInteger(v) && v >= min;
  if (!int(o.batchSize, 1) || !int(o.steps, 1) || !int(o.warmupSteps, 0) || !int(o.seed, 0)) {
    throw new RangeError(
      'batchSize and steps must be integers >= 1, warmupSteps and seed integers >= 0',
    );
  }
  if (!(o.learningRate > 0 && o.learningRate <= 1)) {
    throw new RangeError(`learningRate must be in (0, 1] (got ${o.learningRate})`);
  }
  if (!(o.klWeight >= 0 && o.klWeight <= 1)) {
    throw new RangeError(`klWeight must be in [0, 1] (got ${o.klWeight})`);
  }
}

export class AutoencoderTrainer {
  readonly options: Readonly<AutoencoderTrainingOptions>;
  private readonly vars: tf.Variable[];
  private readonly adam: Adam;
  private steps = 0;
  private pending: { sums: tf.Tensor1D; lr: number; batch: number }[] = [];
  private since = performance.now();
  private perm: { epoch: number; order: Uint32Array } | null = null;

  /** The trainer does not own `ae`. */
  constructor(
    private readonly ae: Autoencoder,
    private readonly data: Dataset,
    options: Partial<AutoencoderTrainingOptions> = {},
  ) {
    const o = { ...DEFAULT_AUTOENCODER_TRAINING, ...options };
    checkAutoencoderTraining(o);
    const { imageSize: s, inChannels: c } = ae.config;
    if (data.count < 1) throw new RangeError('the data set is empty');
    if (data.height !== s || data.width !== s || data.channels !== c) {
      throw new RangeError(
        `the data set has ${data.height}x${data.width}x${data.channels} images, the autoencoder takes ${s}x${s}x${c}`,
      );
    }
    this.options = o;
    this.vars = [...ae.params.values()];
    this.adam = new Adam(this.vars);
  }

  get stepCount(): number {
    return this.steps;
  }

  get done(): boolean {
    return this.steps >= this.options.steps;
  }

  private indicesAt(step: number): Uint32Array {
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

  /** Enqueues one Adam step (no readback). */
  step(): void {
    if (this.done) throw new Error(`training is done (${this.options.steps} steps)`);
    const s = this.steps;
    const { seed, klWeight, learningRate, warmupSteps } = this.options;
    const { images, shape } = sampleBatch(this.data, this.indicesAt(s));
    const lr = warmupLearningRate(learningRate, warmupSteps, s);
    const sums = tf.tidy(() => {
      const x = tf.tensor4d(images, shape);
      const eps = tf.randomNormal(
        [shape[0], ...latentShape(this.ae.config)],
        0,
        1,
        'float32',
        deriveSeed(seed, STREAM.noise, s),
      ) as tf.Tensor4D;
      const kept: { rec?: tf.Scalar; kl?: tf.Scalar } = {};
      const { value, grads } = tf.variableGrads(() => {
        const l = autoencoderLoss(this.ae, x, eps, klWeight);
        kept.rec = tf.keep(l.reconstruction);
        kept.kl = tf.keep(l.kl);
        return l.loss;
      }, this.vars);
      this.adam.apply(flatten(this.vars.map((v) => grads[v.name] ?? tf.zerosLike(v))), lr);
      const { rec, kl } = kept;
      if (!rec || !kl) throw new Error('internal: no loss terms');
      const packed = tf.stack([value, rec, kl]) as tf.Tensor1D;
      rec.dispose(); // kept out of variableGrads' tidy
      kl.dispose();
      return packed;
    });
    this.pending.push({ sums, lr, batch: shape[0] });
    this.steps = s + 1;
  }

  /** Reads the pending steps' losses (one transfer); null when none. */
  async flush(): Promise<AutoencoderStepStats | null> {
    const pending = this.pending;
    if (pending.length === 0) return null;
    this.pending = [];
    const packed = tf.tidy(() => tf.concat(pending.map((p) => p.sums)));
    tf.dispose(pending.map((p) => p.sums));
    let v: Float32Array;
    try {
      v = (await packed.data()) as Float32Array;
    } finally {
      packed.dispose();
    }
    let loss = 0;
    let rec = 0;
    let kl = 0;
    let images = 0;
    pending.forEach((_, i) => {
      loss += v[3 * i];
      rec += v[3 * i + 1];
      kl += v[3 * i + 2];
    });
    for (const p of pending) images += p.batch;
    const k = pending.length;
    if (!Number.isFinite(loss)) {
      throw new Error(
        `the autoencoder's loss is ${loss} at step ${this.steps}: lower the learning rate`,
      );
    }
    const { imageSize: s, inChannels: c } = this.ae.config;
    const now = performance.now();
    const seconds = (now - this.since) / 1000;
    this.since = now;
    return {
      step: this.steps,
      totalSteps: this.options.steps,
      loss: loss / k,
      mse: rec / k / (s * s * c),
      kl: kl / k,
      learningRate: pending[k - 1].lr,
      imagesPerSecond: seconds > 0 ? images / seconds : 0,
    };
  }

  dispose(): void {
    tf.dispose(this.pending.map((p) => p.sums));
    this.pending = [];
    this.adam.dispose();
  }
}
