// Which pretrained model goes with which data set, and the pure rules for when the page loads
// one or samples a first grid by itself (unit-tested in pretrainedModels.test.ts).
import type { DatasetName, ModelInfo, PretrainedName } from '../worker/api';
import type { ViewId } from './store';

export const PRETRAINED: Readonly<Record<DatasetName, { name: PretrainedName; title: string }>> = {
  mnist: { name: 'mnist-cfg', title: 'MNIST' },
  cifar10: { name: 'cifar10-cfg', title: 'CIFAR-10' },
};

export const DATASET_TITLES: Readonly<Record<DatasetName, string>> = {
  mnist: 'MNIST',
  cifar10: 'CIFAR-10',
};

type ModelSummary = Pick<ModelInfo, 'dataset' | 'origin'>;

/**
 * The data set whose pretrained model the Sampling view should load by itself, or null. It does
 * when there is no model, or when the model in use is the other pretrained one (swapping one
 * shipped model for another loses nothing). A model the user made or loaded is never replaced
 * without asking, and a data set whose automatic load failed is not retried by itself.
 */
export function pretrainedToLoad(s: {
  view: ViewId;
  dataset: DatasetName;
  model: ModelSummary | null;
  loading: readonly DatasetName[];
  failed: readonly DatasetName[];
}): DatasetName | null {
  if (s.view !== 'sampling' || s.loading.length > 0 || s.failed.includes(s.dataset)) return null;
  if (s.model === null) return s.dataset;
  return s.model.origin === 'pretrained' && s.model.dataset !== s.dataset ? s.dataset : null;
}

/** Whether to offer (a button) the data set's pretrained model in place of the user's own. */
export function offerPretrained(dataset: DatasetName, model: ModelSummary | null): boolean {
  return model !== null && model.origin !== 'pretrained' && model.dataset !== dataset;
}

/**
 * Whether the Sampling view should sample a first grid by itself: a pretrained model of the app's
 * data set is in use (else another is on its way), there are no samples yet, nothing is running,
 * and it has not done so for this model already.
 */
export function shouldSampleFirstGrid(s: {
  view: ViewId;
  dataset: DatasetName;
  model: ModelInfo | null;
  hasFrames: boolean;
  busy: boolean;
  alreadyFor: ModelInfo | null;
}): boolean {
  return (
    s.view === 'sampling' &&
    s.model !== null &&
    s.model.origin === 'pretrained' &&
    s.model.dataset === s.dataset &&
    !s.hasFrames &&
    !s.busy &&
    s.alreadyFor !== s.model
  );
}
