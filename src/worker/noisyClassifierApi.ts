// The worker side of "train the noise-aware classifier here": one training at a time, on the
// training split of the model in use and for x_t of its schedule; the result replaces the
// classifier that guides that data set (GuidingClassifiers.install) only once it is trained and
// measured, so a cancelled or diverged run leaves guidance as it was.
import {
  BROWSER_NOISY_CLASSIFIER_TRAINING,
  trainNoisyClassifierInBrowser,
} from '../engine/noisyClassifier/browserTraining';
import type { DatasetCache } from '../engine/datasetCache';
import type { GuidingClassifiers } from '../engine/playground/guidingClassifier';
import type { NoisyClassifierMeta, NoisyScheduleInfo } from '../engine/noisyClassifier/types';
import type { NoisyClassifierApi, NoisyClassifierInfo } from './noisyClassifierApiTypes';

export interface NoisyClassifierApiDeps {
  guiding: GuidingClassifiers;
  datasets: () => DatasetCache;
  backendReady: () => Promise<unknown>;
  /** The data set and schedule of the model in use (after any swap in flight); null: none. */
  modelInUse: () => Promise<{ dataset: string; schedule: NoisyScheduleInfo } | null>;
  /** Ends the runs that may hold the classifier being replaced (sampling, evaluations). */
  stopGuidedRuns: () => Promise<void>;
}

export function describeClassifier(
  manifest: NoisyClassifierMeta,
  origin: NoisyClassifierInfo['origin'],
): NoisyClassifierInfo {
  const t = manifest.training;
  return {
    origin,
    accuracyByT: manifest.accuracyByT ?? null,
    steps: t?.steps ?? null,
    trainImages: t?.trainImages ?? null,
    wallTimeSeconds: t?.wallTimeSeconds ?? null,
  };
}

export function createNoisyClassifierApi(deps: NoisyClassifierApiDeps): NoisyClassifierApi {
  const { guiding } = deps;
  let running: { cancelled: boolean } | null = null;
  return {
    async noisyClassifierInfo(dataset) {
      const got = await guiding.current(dataset);
      return got ? describeClassifier(got.manifest, got.origin) : null;
    },

    async trainNoisyClassifier(partial, onProgress) {
      if (running) throw new Error('a classifier is already being trained: cancel it first');
      const run = { cancelled: false };
      running = run;
      try {
        await deps.backendReady();
        const model = await deps.modelInUse();
        if (!model) throw new Error('no model yet: the classifier is trained for the model in use');
        const req = { ...BROWSER_NOISY_CLASSIFIER_TRAINING, ...partial };
        const [train, test] = await Promise.all([
          deps.datasets().get(model.dataset, 'train'),
          deps.datasets().get(model.dataset, 'test'),
        ]);
        const trained = await trainNoisyClassifierInBrowser(
          train,
          test,
          model.schedule,
          req,
          (e) => onProgress(e),
          () => run.cancelled,
        );
        if (!trained) return null;
        // New runs get the new classifier at once; runs that may hold the old one end first.
        const previous = guiding.install({
          classifier: trained.classifier,
          manifest: trained.meta,
        });
        if (previous) {
          await deps.stopGuidedRuns();
          previous.dispose();
        }
        return describeClassifier(trained.meta, 'browser');
      } finally {
        running = null;
      }
    },

    async cancelNoisyClassifierTraining() {
      if (running) running.cancelled = true;
    },

    async useShippedNoisyClassifier(dataset) {
      const dropped = guiding.dropTrained(dataset);
      if (dropped) {
        await deps.stopGuidedRuns();
        dropped.dispose();
      }
    },
  };
}
