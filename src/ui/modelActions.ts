// Model actions shared by the Training and Sampling views. Every failure becomes a message;
// the model in use stays as it was (the worker swaps models only after full validation).
import type { CheckpointUpload, DatasetName, ModelInfo, PresetName } from '../worker/api';
import { getWorker } from './workerClient';
import { useTraining } from './trainingStore';
import { useSampling } from './samplingStore';
import { usePlayground } from './store';
import { usePretrained } from './pretrainedStore';
import { PRETRAINED } from './pretrainedModels';
import { describeError } from './errors';
import { mark } from './timings';

/**
 * Makes `model` the one the views show. A model the user chose also sets the app's data set, so
 * the views (and Train) agree with it; the page's own automatic load leaves the data set alone.
 */
function adopt(model: ModelInfo, opts: { syncDataset?: boolean } = {}): ModelInfo {
  useTraining.getState().setModel(model);
  useTraining.getState().resetHistory();
  useSampling.getState().reset();
  // The sampling settings are checked against this model (e.g. steps clamped to its T).
  useSampling.getState().setLimits({
    T: model.schedule.T,
    numClasses: model.numClasses,
    learnSigma: model.learnSigma,
  });
  const app = usePlayground.getState();
  if ((opts.syncDataset ?? true) && app.dataset !== model.dataset) app.setDataset(model.dataset);
  return model;
}

export async function createModel(
  dataset: DatasetName,
  preset: PresetName,
  learnSigma = false,
): Promise<ModelInfo> {
  return adopt(await getWorker().createModel({ dataset, preset, learnSigma, seed: 0 }));
}

/**
 * The model to train: the one in use when it is for this data set (and learns Σ_θ or not, as
 * asked), else a new one. A pretrained model is never trained further here: Train shows a model
 * learning from scratch.
 */
export async function ensureModel(
  dataset: DatasetName,
  preset: PresetName,
  learnSigma = false,
): Promise<ModelInfo> {
  const current = useTraining.getState().model ?? (await getWorker().modelInfo());
  if (
    current &&
    current.dataset === dataset &&
    current.origin !== 'pretrained' &&
    current.learnSigma === learnSigma
  ) {
    useTraining.getState().setModel(current);
    return current;
  }
  return createModel(dataset, preset, learnSigma);
}

/**
 * Downloads the data set's pretrained model and makes it the model in use. Errors go to the
 * pretrained store (the model in use stays). `auto`: the page's own load, which leaves the app's
 * data set alone and is not retried by itself when it fails. `ifNoModel`: keep a model the user
 * made or loaded meanwhile (resolves to null).
 */
export async function loadPretrained(
  dataset: DatasetName,
  opts: { auto?: boolean; ifNoModel?: boolean } = {},
): Promise<ModelInfo | null> {
  const auto = opts.auto ?? false;
  const { name, title } = PRETRAINED[dataset];
  usePretrained.getState().begin(dataset);
  let error: string | null = null;
  try {
    const info = await getWorker().loadPretrained(name, { ifNoModel: opts.ifNoModel ?? false });
    if (!info) return null;
    mark('modelLoaded');
    return adopt(info, { syncDataset: !auto });
  } catch (e) {
    const why = describeError(e).replace(/[\s.]*$/, '.');
    error = `Could not load the pretrained ${title} model: ${why} The model in use is unchanged.`;
    return null;
  } finally {
    usePretrained.getState().end(dataset, { error, auto });
  }
}

/** Reads an upload: one `.dpck` file, or `model.json` together with `weights.bin`. */
export async function readCheckpointFiles(files: File[]): Promise<CheckpointUpload> {
  if (files.length === 1) {
    const [f] = files;
    if (f.name.endsWith('.json')) {
      throw new Error(
        `"${f.name}" needs its weights file too: choose model.json and weights.bin together.`,
      );
    }
    return { kind: 'pack', bytes: await f.arrayBuffer(), fileName: f.name };
  }
  if (files.length === 2) {
    const json = files.find((f) => f.name.endsWith('.json'));
    const bin = files.find((f) => f !== json);
    if (!json || !bin) {
      throw new Error('choose one .dpck file, or a model.json together with its weights.bin');
    }
    return {
      kind: 'files',
      modelJson: await json.text(),
      weights: await bin.arrayBuffer(),
      fileName: json.name,
    };
  }
  throw new Error('choose one .dpck file, or a model.json together with its weights.bin');
}

export async function uploadModel(files: File[]): Promise<ModelInfo> {
  const upload = await readCheckpointFiles(files);
  return adopt(await getWorker().importModel(upload));
}

export async function loadSavedModel(name: string): Promise<ModelInfo> {
  return adopt(await getWorker().loadSavedModel(name));
}

/** Brings back the automatic snapshot an earlier page kept (see useSessionSnapshot). */
export async function resumeLastSession(): Promise<ModelInfo> {
  return adopt(await getWorker().resumeSession());
}

export async function downloadModel(): Promise<void> {
  const bytes = await getWorker().exportModel();
  const model = useTraining.getState().model;
  const name = `${model?.dataset ?? 'model'}-${model?.trainingSteps ?? 0}steps.dpck`;
  const url = URL.createObjectURL(
    new Blob([bytes as BlobPart], { type: 'application/octet-stream' }),
  );
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Runs an action and reports its error in the training store's message slot. */
export async function reportErrors<T>(action: () => Promise<T>): Promise<T | undefined> {
  try {
    const r = await action();
    useTraining.getState().setError(null);
    return r;
  } catch (e) {
    useTraining.getState().setError(describeError(e));
    return undefined;
  }
}
