// Model actions shared by the Training and Sampling views. Every failure becomes a message;
// the model in use stays as it was (the worker swaps models only after full validation).
import type { CheckpointUpload, DatasetName, ModelInfo, PresetName } from '../worker/api';
import { getWorker } from './workerClient';
import { useTraining } from './trainingStore';
import { useSampling } from './samplingStore';
import { describeError } from './errors';

function adopt(model: ModelInfo): ModelInfo {
  useTraining.getState().setModel(model);
  useTraining.getState().resetHistory();
  useSampling.getState().reset();
  return model;
}

export async function createModel(dataset: DatasetName, preset: PresetName): Promise<ModelInfo> {
  return adopt(await getWorker().createModel({ dataset, preset, seed: 0 }));
}

/** The model in use, creating a new one when there is none (or it is for another data set). */
export async function ensureModel(dataset: DatasetName, preset: PresetName): Promise<ModelInfo> {
  const current = useTraining.getState().model ?? (await getWorker().modelInfo());
  if (current && current.dataset === dataset) {
    useTraining.getState().setModel(current);
    return current;
  }
  return createModel(dataset, preset);
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
