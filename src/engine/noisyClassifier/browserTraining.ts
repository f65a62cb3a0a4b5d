// The noise-aware classifier p_φ(y | x_t, t) trained in the browser, on a wall-clock budget a
// class can wait for: the CLI's recipe (trainer.ts: guided-diffusion's classifier_train.py, t
// uniform, x_t ~ q(x_t | x_0)) with the cosine learning rate fitted to the budget
// (ClassifierLoop's `timeBudgetSeconds`), then its test accuracy per t-bucket (accuracyByT.ts).
// The result is a classifier and the same metadata a shipped one carries, so the guidance code
// and the accuracy table treat both alike.
import { firstImages, type Dataset } from '../../data/dataset';
import { makeSchedule } from '../../diffusion/schedule';
import {
  MNIST_NOISY_CLASSIFIER,
  NoisyClassifier,
  type NoisyClassifierConfig,
} from '../../model/noisyClassifier';
import { accuracyByTimestep } from './accuracyByT';
import { NoisyClassifierTrainer } from './trainer';
import type { NoisyClassifierMeta, NoisyScheduleInfo } from './types';

export interface NoisyClassifierTrainingRequest {
  /** Wall-clock budget: training stops after it, the learning rate's cosine ending on time. */
  seconds: number;
  /** Training images, the first ones of the split (at most one epoch over them). */
  images: number;
  batch: number;
  learningRate: number;
  seed: number;
  /** Test images per t-bucket for the accuracy table, and the number of buckets. */
  testImages: number;
  buckets: number;
}

export const BROWSER_NOISY_CLASSIFIER_TRAINING: NoisyClassifierTrainingRequest = {
  seconds: 60,
  images: 60_000,
  batch: 64,
  learningRate: 2e-3,
  seed: 0,
  testImages: 500,
  buckets: 10,
};

export interface NoisyClassifierTrainingEvent {
  phase: 'training' | 'measuring';
  step: number;
  /** Steps of one epoch over the images: the most the budget can give. */
  totalSteps: number;
  elapsedSeconds: number;
  /** Cross-entropy per image (nats) and accuracy on the noised training batches, all t mixed. */
  loss: number | null;
  accuracy: number | null;
}

export interface TrainedNoisyClassifier {
  classifier: NoisyClassifier;
  meta: NoisyClassifierMeta;
}

/** The classifier's layout for a data set: the shipped MNIST one's widths at its image size. */
export function browserClassifierConfig(data: Dataset): NoisyClassifierConfig {
  return {
    ...MNIST_NOISY_CLASSIFIER,
    imageSize: data.height,
    inChannels: data.channels,
    numClasses: Math.max(2, data.classNames.length),
  };
}

export function checkNoisyClassifierTraining(r: NoisyClassifierTrainingRequest): void {
  const int = (v: number, lo: number, hi: number) => Number.isInteger(v) && v >= lo && v <= hi;
  const ok =
    Number.isFinite(r.seconds) &&
    r.seconds > 0 &&
    r.seconds <= 3600 &&
    int(r.images, 1, 1e6) &&
    int(r.batch, 1, 1024) &&
    r.learningRate > 0 &&
    r.learningRate <= 1 &&
    int(r.seed, 0, Number.MAX_SAFE_INTEGER) &&
    int(r.testImages, 1, 1e5) &&
    int(r.buckets, 1, 100);
  if (!ok) {
    throw new RangeError(
      'classifier training: seconds in (0, 3600], images and batch integers >= 1, learning rate in (0, 1], buckets 1..100',
    );
  }
}

/**
 * Trains a fresh classifier on `train` for x_t of `scheduleInfo` (the schedule of the model it
 * will guide), then measures it on `test`. `stop()` is polled between steps: true discards the
 * classifier and resolves null. A NaN loss rejects (ClassifierLoop.flush); nothing is kept then.
 */
export async function trainNoisyClassifierInBrowser(
  train: Dataset,
  test: Dataset,
  scheduleInfo: NoisyScheduleInfo,
  req: NoisyClassifierTrainingRequest,
  onEvent: (e: NoisyClassifierTrainingEvent) => void | Promise<void>,
  stop: () => boolean = () => false,
): Promise<TrainedNoisyClassifier | null> {
  checkNoisyClassifierTraining(req);
  const data = firstImages(train, req.images);
  const schedule = makeSchedule(scheduleInfo);
  const config = browserClassifierConfig(data);
  const classifier = NoisyClassifier.create(config, { seed: req.seed });
  const warmupSteps = Math.min(100, Math.floor(Math.ceil(data.count / req.batch) / 10));
  const trainer = new NoisyClassifierTrainer(classifier, data, schedule, {
    batchSize: req.batch,
    learningRate: req.learningRate,
    epochs: 1,
    warmupSteps,
    timeBudgetSeconds: req.seconds,
    seed: req.seed,
  });
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  let kept = false;
  try {
    while (!trainer.done) {
      if (stop()) return null;
      trainer.step();
      // About two progress lines a second at MNIST speeds; one readback each.
      if (trainer.stepCount % 5 === 0 || trainer.done) {
        const s = await trainer.flush();
        if (s) {
          await onEvent({
            phase: 'training',
            step: s.step,
            totalSteps: s.totalSteps,
            elapsedSeconds: elapsed(),
            loss: s.loss,
            accuracy: s.accuracy,
          });
        }
      }
    }
    await trainer.flush();
    const wallTimeSeconds = elapsed();
    await onEvent({
      phase: 'measuring',
      step: trainer.stepCount,
      totalSteps: trainer.totalSteps,
      elapsedSeconds: wallTimeSeconds,
      loss: null,
      accuracy: null,
    });
    const accuracyByT = await accuracyByTimestep(classifier, test, schedule, {
      buckets: req.buckets,
      limit: req.testImages,
    });
    if (stop()) return null;
    kept = true;
    return {
      classifier,
      meta: {
        noisyClassifierConfig: config,
        schedule: scheduleInfo,
        dataset: data.name,
        classNames: [...data.classNames],
        createdAt: new Date().toISOString(),
        training: {
          epochs: trainer.stepCount / trainer.stepsPerEpoch,
          steps: trainer.stepCount,
          batch: req.batch,
          learningRate: req.learningRate,
          warmupSteps,
          seed: req.seed,
          trainImages: data.count,
          wallTimeSeconds,
          machine: 'this browser',
        },
        accuracyByT,
      },
    };
  } finally {
    trainer.dispose();
    if (!kept) classifier.dispose();
  }
}
