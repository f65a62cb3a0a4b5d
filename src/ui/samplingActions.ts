// Sampling actions, shared by the Sampling view's buttons and the keyboard: start a run, step
// forward (or forward through the recorded trajectory after stepping back), step back, play.
import * as Comlink from 'comlink';
import { getWorker } from './workerClient';
import { useSampling, type SamplingSettings } from './samplingStore';
import { useTraining } from './trainingStore';
import { usePlayground } from './store';
import { describeError } from './errors';
import type { SamplingProgress, SamplingRequest } from '../worker/api';

function request(overrides: Partial<SamplingSettings> = {}): SamplingRequest {
  const settings = { ...useSampling.getState().settings, ...overrides };
  const model = useTraining.getState().model;
  const conditional = (model?.numClasses ?? 0) > 0 && settings.classIndex >= 0;
  return {
    n: settings.n,
    sampler: settings.sampler,
    // DDPM with fewer steps than T runs on the respaced schedule (Nichol & Dhariwal 2021, Sec. 4).
    steps: settings.steps,
    eta: settings.sampler === 'ddim' ? settings.eta : undefined,
    variance: settings.sampler === 'ddpm' ? settings.variance : undefined,
    classes: conditional ? new Array<number>(settings.n).fill(settings.classIndex) : null,
    seed: settings.seed,
    guidanceScale: settings.guidanceScale,
    clipX0: settings.clipX0,
    guidanceMethod: settings.guidanceMethod,
    classifierScale: settings.classifierScale,
    snr: settings.sampler === 'pc' ? settings.snr : undefined,
    langevinSteps: settings.sampler === 'annealed-langevin' ? settings.langevinSteps : undefined,
  };
}

/**
 * Runs one action at a time. A model swap resets the store (a new generation) while an action
 * may still be waiting on the worker: from then on that action's results and errors are stale
 * and dropped, so they cannot land on the new model's view. `alive()` says whether it still counts.
 */
async function guarded(action: (alive: () => boolean) => Promise<void>): Promise<void> {
  const s = useSampling.getState();
  if (s.busy) return;
  const generation = s.generation;
  const alive = () => useSampling.getState().generation === generation;
  s.setBusy(true);
  try {
    await action(alive);
    if (alive()) useSampling.getState().setError(null);
  } catch (e) {
    if (!alive()) return;
    useSampling.getState().setPlaying(false);
    useSampling.getState().setError(describeError(e));
  } finally {
    if (alive()) useSampling.getState().setBusy(false);
  }
}

/** Starts a new run at x_T (the previous trajectory is dropped). */
export function startRun(): Promise<void> {
  return guarded(async (alive) => {
    if (!useTraining.getState().model) {
      throw new Error('No model yet: train one in the Training view, or load one there.');
    }
    useSampling.getState().setPlaying(false);
    const first = await getWorker().startSampling(request());
    if (alive()) useSampling.getState().begin(first);
  });
}

// One proxy for the page's lifetime: the worker calls it after each step of a long advance.
// Ignored outside a long advance: the last step's message may come after the result (another port).
const onProgress = Comlink.proxy((p: SamplingProgress) => {
  if (useSampling.getState().progress !== null) useSampling.getState().setProgress(p);
});

/**
 * A new run straight to the end (or to step `stopAt`, e.g. the step a link shows), with a
 * progress bar: ONE readback for all steps (the frames kept are x_T and the last; Play shows every
 * step instead). `overrides` change this run's settings only (the controls keep the user's), and
 * `note` says so above the grid; `onStart` runs when the steps begin.
 */
export function sampleToEnd(
  opts: {
    overrides?: Partial<SamplingSettings>;
    note?: string;
    onStart?: () => void;
    stopAt?: number | null;
  } = {},
): Promise<void> {
  return guarded(async (alive) => {
    if (!useTraining.getState().model) {
      throw new Error('No model yet: train one in the Training view, or load one there.');
    }
    useSampling.getState().setPlaying(false);
    const first = await getWorker().startSampling(request(opts.overrides));
    if (!alive()) return;
    useSampling.getState().begin(first, opts.note ?? null);
    opts.onStart?.();
    const steps = Math.min(first.totalSteps, opts.stopAt ?? first.totalSteps);
    if (steps <= 0) return;
    useSampling.getState().setProgress({ stepsDone: 0, totalSteps: first.totalSteps });
    try {
      const last = await getWorker().advanceSampling(steps, onProgress);
      if (alive()) useSampling.getState().push(last);
    } finally {
      if (alive()) useSampling.getState().setProgress(null);
    }
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
  return guarded(async (alive) => {
    const frame = await getWorker().advanceSampling(1);
    if (alive()) useSampling.getState().push(frame);
  });
}

export function stepBack(): void {
  const s = useSampling.getState();
  s.setPlaying(false);
  s.setView(s.view - 1);
}

/** At 1× play speed, each step stays on screen at least this long (10 steps per second). */
const STEP_MS_AT_1X = 100;

/** Whether the run shown is finished and its last frame is on screen (nothing left to play). */
export function atFinishedEnd(): boolean {
  const { frames, view } = useSampling.getState();
  const last = frames[frames.length - 1];
  return Boolean(last?.done && view >= frames.length - 1);
}

/**
 * Plays to the end, one step at a time, so each step is shown (and s can change mid-run), no
 * faster than the play speed allows. A finished run starts again from a new x_T.
 */
export async function play(): Promise<void> {
  const s = useSampling.getState();
  // Another action (e.g. the first grid) holds the worker: stepping would return at once, and
  // the loop below would spin without ever yielding.
  if (s.busy) return;
  if (s.frames.length === 0 || atFinishedEnd()) await startRun();
  useSampling.getState().setPlaying(true);
  while (useSampling.getState().playing && !useSampling.getState().busy) {
    if (atFinishedEnd() || useSampling.getState().frames.length === 0) break;
    const started = performance.now();
    await stepForward();
    if (useSampling.getState().error) break;
    const wait = STEP_MS_AT_1X / usePlayground.getState().playSpeed - (performance.now() - started);
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
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

/** Classifier guidance's s: applies to the next step of the run in progress, and to later runs. */
export function setClassifierScale(s: number): void {
  useSampling.getState().setSettings({ classifierScale: s });
  void getWorker()
    .setClassifierScale(s)
    .catch(() => {
      // No run yet: the setting is used when the next run starts.
    });
}
