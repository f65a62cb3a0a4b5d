// Classifier guidance's noise-aware classifier from the page: read which one guides a data set,
// train one here for the model in use (noisyClassifierApi.ts in the worker), cancel, or go back
// to the shipped one.
import * as Comlink from 'comlink';
import type { NoisyClassifierTrainingEvent } from '../worker/api';
import { describeError } from './errors';
import { useNoisyClassifier } from './noisyClassifierStore';
import { getWorker } from './workerClient';

export async function refreshNoisyClassifierInfo(dataset: string): Promise<void> {
  try {
    const info = await getWorker().noisyClassifierInfo(dataset);
    useNoisyClassifier.getState().setInfo(dataset, info);
  } catch {
    useNoisyClassifier.getState().setInfo(dataset, null);
  }
}

export async function trainNoisyClassifierHere(dataset: string): Promise<void> {
  const store = useNoisyClassifier.getState();
  if (store.status !== 'idle') return;
  store.begin(dataset);
  const onProgress = Comlink.proxy((e: NoisyClassifierTrainingEvent) =>
    useNoisyClassifier.getState().setProgress(e),
  );
  try {
    const info = await getWorker().trainNoisyClassifier({ seconds: store.seconds }, onProgress);
    if (info) useNoisyClassifier.getState().setInfo(dataset, info);
    useNoisyClassifier
      .getState()
      .finish(info ? {} : { error: 'Cancelled: the classifier in use is unchanged.' });
  } catch (e) {
    useNoisyClassifier.getState().finish({
      error: `The classifier could not be trained: ${describeError(e)} The classifier in use is unchanged.`,
    });
  }
}

export async function cancelNoisyClassifierTraining(): Promise<void> {
  useNoisyClassifier.getState().setStatus('cancelling');
  await getWorker().cancelNoisyClassifierTraining();
}

export async function revertToShippedClassifier(dataset: string): Promise<void> {
  await getWorker().useShippedNoisyClassifier(dataset);
  await refreshNoisyClassifierInfo(dataset);
}
