// Run and Cancel of the Likelihood view: the worker sends the prior term, then the terms of the
// t it finished after each network pass; they land in the store while their run is the latest.
import * as Comlink from 'comlink';
import type { LikelihoodEvent } from '../worker/api';
import { getWorker } from './workerClient';
import { useLikelihood } from './likelihoodStore';
import { useTraining } from './trainingStore';
import { usePlayground } from './store';
import { describeError } from './errors';

/** The first test image of a batch of n starting at `index`, kept inside 0..count−1. */
export function firstImageOf(index: number, n: number, count: number): number {
  return Math.max(0, Math.min(index, count - n));
}

export async function runLikelihood(): Promise<void> {
  const store = useLikelihood.getState();
  if (store.running) return;
  const model = useTraining.getState().model;
  if (!model) {
    store.finish({ error: 'No model yet: load a pretrained model or train one first.' });
    return;
  }
  const settings = store.settings;
  const run = store.begin();
  let firstImage = 0;
  try {
    const { count } = await getWorker().datasetInfo(model.dataset);
    firstImage = firstImageOf(usePlayground.getState().imageIndex, settings.images, count);
  } catch (e) {
    store.finish({ error: `The test images could not be loaded: ${describeError(e)}` });
    return;
  }
  const current = () => useLikelihood.getState().run === run;
  const modelLabel = `${model.label}, ${model.trainingSteps} training steps`;
  const listener = Comlink.proxy((e: LikelihoodEvent) => {
    if (!current()) return;
    const s = useLikelihood.getState();
    if (e.type === 'start') {
      s.start({
        firstImage,
        labels: e.labels,
        T: e.T,
        strata: e.strata,
        prior: e.prior,
        modelLabel,
        settings,
      });
    } else {
      s.addTerms(e.indices, e.values, e.evaluated);
    }
  });
  try {
    await getWorker().startLikelihood({ ...settings, firstImage }, listener);
    if (current()) useLikelihood.getState().finish({});
  } catch (e) {
    if (!current()) return;
    const cancelled = e instanceof Error && e.name === 'LikelihoodCancelled';
    const message = describeError(e);
    useLikelihood
      .getState()
      .finish(
        cancelled
          ? { note: `Stopped (${message}): the estimate uses the t evaluated so far.` }
          : { error: `The likelihood run failed: ${message}` },
      );
  }
}

export function cancelLikelihood(): void {
  if (!useLikelihood.getState().running) return;
  useLikelihood.getState().setCancelling();
  void getWorker().cancelLikelihood();
}
