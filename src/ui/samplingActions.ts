// Sampling actions, shared by the Sampling view's buttons and the keyboard: start a run, step
// forward (or forward through the recorded trajectory after stepping back), step back, play.
import { getWorker } from './workerClient';
import { useSampling } from './samplingStore';
import { useTraining } from './trainingStore';
import { describeError } from './errors';
import type { SamplingRequest } from '../worker/api';

function request(): SamplingRequest {
  const { settings } = useSampling.getState();
  const model = useTraining.getState().model;
  const conditional = (model?.numClasses ?? 0) > 0 && settings.classIndex >= 0;
  return {
    n: settings.n,
    sampler: settings.sampler,
    steps: settings.sampler === 'ddim' ? settings.steps : undefined,
    eta: settings.sampler === 'ddim' ? settings.eta : undefined,
    classes: conditional ? new Array<number>(settings.n).fill(settings.classIndex) : null,
    seed: settings.seed,
    guidanceScale: settings.guidanceScale,
  };
}

async function guarded(action: () => Promise<void>): Promise<void> {
  const s = useSampling.getState();
  if (s.busy) return;
  s.setBusy(true);
  try {
    await action();
    useSampling.getState().setError(null);
  } catch (e) {
    useSampling.getState().setPlaying(false);
    useSampling.getState().setError(describeError(e));
  } finally {
    useSampling.getState().setBusy(false);
  }
}

/** Starts a new run at x_T (the previous trajectory is dropped). */
export function startRun(): Promise<void> {
  return guarded(async () => {
    if (!useTraining.getState().model) {
      throw new Error('No model yet: train one in the Training view, or load one there.');
    }
    useSampling.getState().setPlaying(false);
    useSampling.getState().begin(await getWorker().startSampling(request()));
  });
}

/** One step: forward through recorded frames first, then a new denoising step. */
export function stepForward(): Promise<void> {
  const s = useSampling.getState();
  if (s.view < s.frames.length - 1) {
    s.setView(s.view + 1);
    return Promise.resolve();
  }
  const last = s.frames[s.frames.length - 1];
  if (!last || last.done) return Promise.resolve();
  return guarded(async () => {
    useSampling.getState().push(await getWorker().advanceSampling(1));
  });
}

export function stepBack(): void {
  const s = useSampling.getState();
  s.setPlaying(false);
  s.setView(s.view - 1);
}

/** Plays to the end, one step at a time, so each step is shown (and s can change mid-run). */
export async function play(): Promise<void> {
  const s = useSampling.getState();
  if (s.frames.length === 0) await startRun();
  useSampling.getState().setPlaying(true);
  while (useSampling.getState().playing) {
    const { frames, view } = useSampling.getState();
    const last = frames[frames.length - 1];
    if (!last || (last.done && view >= frames.length - 1)) break;
    await stepForward();
    if (useSampling.getState().error) break;
  }
  useSampling.getState().setPlaying(false);
}

export function pause(): void {
  useSampling.getState().setPlaying(false);
}

export function togglePlay(): void {
  if (useSampling.getState().playing) pause();
  else void play();
}

/** Applies to the next step of the run in progress, and to later runs. */
export function setGuidanceScale(s: number): void {
  useSampling.getState().setSettings({ guidanceScale: s });
  void getWorker()
    .setGuidanceScale(s)
    .catch(() => {
      // No run yet: the setting is used when the next run starts.
    });
}
