// Trains the judge with the shared classifier loop (engine/training/classifierLoop.ts): epoch-wise
// shuffled batches with random ±maxShift px shifts and optional horizontal flips, dropout on the
// features, label smoothing. Batch-norm layers ('vgg') train on batch statistics;
// calibrateBatchNorm sets their population statistics afterwards.
import * as tf from '@tensorflow/tfjs';
import { sampleBatch, type Dataset } from '../../data/dataset';
import type { Classifier } from '../../model/classifier';
import { deriveSeed, mulberry32, randInt, STREAM } from '../../random/seeded';
import {
  checkClassifierData,
  ClassifierLoop,
  type ClassifierLoopOptions,
  type ClassifierStepStats,
} from '../training/classifierLoop';
import { flipImages, shiftImages } from './augment';

export type { ClassifierStepStats } from '../training/classifierLoop';

export interface ClassifierTrainingOptions extends ClassifierLoopOptions {
  /** Largest random translation in pixels (0: no augmentation). */
  maxShift: number;
  /** Dropout on the features while training. */
  dropout: number;
  /** Mirror each training image left-right with probability 1/2. */
  flip: boolean;
  /** ε of label smoothing: targets (1 − ε)·onehot + ε/K (0: none). */
  labelSmoothing: number;
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

export class ClassifierTrainer {
  readonly options: Readonly<ClassifierTrainingOptions>;
  private readonly loop: ClassifierLoop;

  /** The trainer does not own `classifier`. */
  constructor(
    private readonly classifier: Classifier,
    private readonly data: Dataset,
    options: Partial<ClassifierTrainingOptions> = {},
  ) {
    const o = { ...DEFAULT_CLASSIFIER_TRAINING, ...options };
    if (!(Number.isInteger(o.maxShift) && o.maxShift >= 0) || !(o.dropout >= 0 && o.dropout < 1)) {
      throw new RangeError('maxShift must be an integer >= 0, dropout in [0, 1)');
    }
    if (!(o.labelSmoothing >= 0 && o.labelSmoothing < 1)) {
      throw new RangeError('labelSmoothing must be in [0, 1)');
    }
    checkClassifierData(data, classifier.config);
    this.options = o;
    this.loop = new ClassifierLoop(classifier.trainableVariables(), data.count, o);
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

  /** Data-set indices of step s: positions s·B … s·B + B − 1 of per-epoch seeded shuffles. */
  indicesAt(step: number): Uint32Array {
    return this.loop.indicesAt(step);
  }

  /** Enqueues one training step (no readback). */
  step(): void {
    const s = this.loop.begin();
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
    const logits = () =>
      this.classifier.apply(tf.tensor4d(x, shape), {
        dropout,
        dropoutSeed: deriveSeed(seed, STREAM.dropout, s),
        batchStatistics: true,
      }).logits;
    this.loop.enqueue(labels, this.classifier.config.numClasses, logits, labelSmoothing);
  }

  /** Reads back the pending steps' losses and hits (one transfer); null when none. */
  flush(): Promise<ClassifierStepStats | null> {
    return this.loop.flush();
  }

  dispose(): void {
    this.loop.dispose();
  }
}
