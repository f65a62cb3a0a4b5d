// What the Cascade view's buttons do: load the pretrained cascade, sample it, train a tiny one.
import * as Comlink from 'comlink';
import { useCascade } from './cascadeStore';
import { getWorker } from './workerClient';
import type { CascadeTrainProgress } from '../worker/cascadeApiTypes';

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export async function loadPretrainedCascade(): Promise<void> {
  const st = useCascade.getState();
  if (st.loading) return;
  st.set({ loading: true, error: null });
  try {
    const info = await getWorker().cascadeLoadPretrained();
    useCascade.getState().set({ info });
  } catch (e) {
    useCascade.getState().set({ error: `Could not load the pretrained cascade: ${message(e)}` });
  } finally {
    useCascade.getState().set({ loading: false });
  }
}

export async function sampleCascade(): Promise<void> {
  const st = useCascade.getState();
  if (st.sampling || st.training) return;
  st.set({ sampling: true, error: null, playing: false });
  try {
    if (!useCascade.getState().info) await loadPretrainedCascade();
    if (!useCascade.getState().info) return;
    const { classIndex, guidance, n, steps, seed, augLevel, truncated } =
      useCascade.getState().settings;
    const result = await getWorker().cascadeSample({
      classLabel: classIndex,
      guidance,
      n,
      steps,
      seed,
      augLevel,
      truncated,
    });
    const pending = useCascade.getState().pendingAt;
    useCascade.getState().set({ result, pendingAt: null });
    // Show the finished pipeline unless the link asked for a position.
    useCascade.getState().setAt(pending ?? Number.MAX_SAFE_INTEGER);
  } catch (e) {
    useCascade.getState().set({ error: message(e) });
  } finally {
    useCascade.getState().set({ sampling: false });
  }
}

export async function trainCascade(): Promise<void> {
  const st = useCascade.getState();
  if (st.training || st.sampling) return;
  st.set({
    error: null,
    training: { stage: 'base', step: 0, steps: st.trainSteps, loss: Number.NaN, fraction: 0 },
  });
  try {
    const info = await getWorker().cascadeTrain(
      { steps: st.trainSteps, batch: 16, seed: 0 },
      Comlink.proxy((p: CascadeTrainProgress) => useCascade.getState().set({ training: p })),
    );
    useCascade.getState().set({ info, result: null, at: 0 });
  } catch (e) {
    useCascade.getState().set({ error: message(e) });
  } finally {
    useCascade.getState().set({ training: null });
  }
}

export async function stopCascadeTraining(): Promise<void> {
  await getWorker().cascadeStopTraining();
}
