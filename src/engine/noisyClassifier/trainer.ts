// Trains the noise-aware classifier p_φ(y | x_t, t) as guided-diffusion's classifier_train.py
// does: each example gets t ~ Uniform{0..T−1} and is noised with the closed form
// x_t = √ᾱ_t x_0 + √(1−ᾱ_t) ε (Ho et al. 2020, eq. 4; `q_sample`), then softmax cross-entropy
// on (x_t, t) → y, in the loop the judge's trainer uses too (engine/training/classifierLoop.ts:
// Adam, warm-up + cosine learning rate, one readback per flush). Batches, timesteps and noise are
// functions of (seed, step).
import * as tf from '@tensorflow/tfjs';
import { sampleBatch, type Dataset } from '../../data/dataset';
import { qSample } from '../../diffusion/forward';
import type { Schedule } from '../../diffusion/schedule';
import type { NoisyClassifier } from '../../model/noisyClassifier';
import { deriveSeed, mulberry32, randInt, STREAM } from '../../random/seeded';
import {
  checkClassifierData,
  ClassifierLoop,
  type ClassifierLoopOptions,
  type ClassifierStepStats,
} from '../training/classifierLoop';

export { epochOrder } from '../training/classifierLoop';

export type NoisyClassifierTrainingOptions = ClassifierLoopOptions;

export const DEFAULT_NOISY_CLASSIFIER_TRAINING: NoisyClassifierTrainingOptions = {
  batchSize: 64,
  learningRate: 2e-3,
  epochs: 1,
  warmupSteps: 100,
  timeBudgetSeconds: 0,
  seed: 0,
};

/** Means over the steps since the previous flush (accuracy: on the noised batches, all t mixed). */
export type NoisyClassifierStepStats = ClassifierStepStats;

/** Timesteps t ~ Uniform{0..T−1} of one step's batch (guided-diffusion: UniformSampler). */
export function trainingTimesteps(seed: number, step: number, n: number, T: number): Int32Array {
  const rand = mulberry32(deriveSeed(seed, STREAM.batch, step));
  return Int32Array.from({ length: n }, () => randInt(rand, T));
}

export class NoisyClassifierTrainer {
  readonly options: Readonly<NoisyClassifierTrainingOptions>;
  private readonly loop: ClassifierLoop;

  /** The trainer owns neither `classifier` nor `schedule`. */
  constructor(
    private readonly classifier: NoisyClassifier,
    private readonly data: Dataset,
    private readonly schedule: Schedule,
    options: Partial<NoisyClassifierTrainingOptions> = {},
  ) {
    const o = { ...DEFAULT_NOISY_CLASSIFIER_TRAINING, ...options };
    checkClassifierData(data, classifier.config);
    this.options = o;
    this.loop = new ClassifierLoop([...classifier.params.values()], data.count, o);
  }

  get stepsPerEpoch(): number {
    return this.loop.stepsPerEpoch;
  }

  get totalSteps(): number {
    return this.loop.totalSteps;
  }

  get stepCount(): number {
    return this.loop.stepCount;
  }

  get done(): boolean {
    return this.loop.done;
  }

  learningRateAt(step: number): number {
    return this.loop.learningRateAt(step);
  }

  /** Enqueues one training step (no readback). */
  step(): void {
    const s = this.loop.begin();
    const { seed } = this.options;
    const { images, labels, shape } = sampleBatch(this.data, this.loop.indicesAt(s));
    const ts = trainingTimesteps(seed, s, shape[0], this.schedule.T);
    const logits = () => {
      const t = tf.tensor1d(ts, 'int32');
      const eps = tf.randomNormal(shape, 0, 1, 'float32', deriveSeed(seed, STREAM.noise, s));
      const xt = qSample(tf.tensor4d(images, shape), t, eps as tf.Tensor4D, this.schedule);
      return this.classifier.logits(xt, t);
    };
    this.loop.enqueue(labels, this.classifier.config.numClasses, logits);
  }

  /** Reads back the pending steps' losses and hits (one transfer); null when none. */
  flush(): Promise<NoisyClassifierStepStats | null> {
    return this.loop.flush();
  }

  dispose(): void {
    this.loop.dispose();
  }
}
