// What the "Score & SDE" view asks of the worker: the data's info and field, sampling runs that
// play, pause, step and scrub, and the NFE sweep. Errors become a message in the view; the state
// before the failed call stays.
import * as Comlink from 'comlink';
import { getWorker } from './workerClient';
import { currentSettings, useScore2d, type Snapshot } from './score2dStore';
import type { Score2dData } from '../worker/api';
import { usePlayground } from './store';
import { DEFAULT_LEARNED } from '../diffusion/score2d/learnedDefaults';

/** At most this many snapshots per run: the scrubber's resolution. */
const MAX_SNAPSHOTS = 120;
/** Particles whose paths are drawn in full. */
export const PATH_PARTICLES = 12;

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function currentData(): Score2dData {
  const s = useScore2d.getState();
  return s.preset === 'drawn' ? { points: s.drawnPoints } : { preset: s.preset };
}

/** Loads the data set's info and defaults, then its field. */
export async function loadData(): Promise<void> {
  const store = useScore2d.getState();
  if (store.preset === 'drawn' && store.drawnPoints.length === 0) {
    store.set({
      info: null,
      field: null,
      snapshots: [],
      error: null,
      sweep: [],
      modelDensity: null,
    });
    return;
  }
  try {
    const { info, defaults } = await getWorker().score2dInfo(currentData());
    useScore2d.getState().set({
      info,
      defaults,
      snapshots: [],
      frameIndex: 0,
      sweep: [],
      modelDensity: null,
      error: null,
      trainStep: 0,
      losses: [],
      trainSeconds: null,
      learnedField: null,
      score: 'exact',
    });
    await loadField();
  } catch (err) {
    useScore2d.getState().set({ error: message(err) });
  }
}

let fieldToken = 0;
export async function loadField(): Promise<void> {
  const s = useScore2d.getState();
  if (!s.info) return;
  const token = ++fieldToken;
  try {
    const field = await getWorker().score2dField({
      data: currentData(),
      level: { sde: s.sde, t: s.level },
      grid: 96,
      arrows: 21,
    });
    if (token === fieldToken) useScore2d.getState().set({ field, error: null });
  } catch (err) {
    useScore2d.getState().set({ error: message(err) });
  }
}

function stride(totalSteps: number): number {
  return Math.max(1, Math.ceil(totalSteps / MAX_SNAPSHOTS));
}

function toSnapshot(f: Snapshot & { msPerStep?: number }): Snapshot {
  const { msPerStep: _ms, ...snap } = f;
  return snap;
}

/** Starts a new run from the shared starting noise of the page's seed. */
export async function startRun(): Promise<void> {
  const s = useScore2d.getState();
  const settings = currentSettings(s);
  if (!settings) return;
  s.set({ busy: true, playing: false });
  try {
    const w = getWorker();
    const req = {
      data: currentData(),
      settings,
      n: s.n,
      seed: usePlayground.getState().seed,
    };
    const frame =
      s.score === 'learned' ? await w.score2dStartLearned(req) : await w.score2dStart(req);
    useScore2d.getState().set({ snapshots: [toSnapshot(frame)], frameIndex: 0, error: null });
  } catch (err) {
    useScore2d.getState().set({ error: message(err) });
  } finally {
    useScore2d.getState().set({ busy: false });
  }
}

/** Runs one stride of steps and records the frame; false when the run is over. */
export async function advanceRun(): Promise<boolean> {
  const s = useScore2d.getState();
  const last = s.snapshots[s.snapshots.length - 1];
  if (!last || last.done) return false;
  try {
    const frame = await getWorker().score2dAdvance(stride(last.totalSteps));
    const snaps = [...useScore2d.getState().snapshots, toSnapshot(frame)];
    useScore2d.getState().set({
      snapshots: snaps,
      frameIndex: snaps.length - 1,
      msPerStep: frame.msPerStep,
      error: null,
    });
    return !frame.done;
  } catch (err) {
    useScore2d.getState().set({ error: message(err), playing: false });
    return false;
  }
}

/** Plays to the end (or until paused), one stride per animation frame. */
export async function play(): Promise<void> {
  const s = useScore2d.getState();
  if (s.playing) return;
  if (s.snapshots.length === 0 || s.snapshots[s.snapshots.length - 1].done) await startRun();
  useScore2d.getState().set({ playing: true });
  for (;;) {
    const now = useScore2d.getState();
    if (!now.playing) break;
    if (now.frameIndex < now.snapshots.length - 1) {
      now.set({ frameIndex: now.frameIndex + 1 });
    } else if (!(await advanceRun())) {
      break;
    }
    await new Promise((r) => requestAnimationFrame(() => r(null)));
  }
  useScore2d.getState().set({ playing: false });
}

export function pause(): void {
  useScore2d.getState().set({ playing: false });
}

export async function stepForward(): Promise<void> {
  const s = useScore2d.getState();
  if (s.snapshots.length === 0) {
    await startRun();
    return;
  }
  if (s.frameIndex < s.snapshots.length - 1) s.set({ frameIndex: s.frameIndex + 1 });
  else await advanceRun();
}

export function stepBack(): void {
  const s = useScore2d.getState();
  s.set({ frameIndex: Math.max(0, s.frameIndex - 1), playing: false });
}

/** Sample: a fresh run played to the end. */
export async function sample(): Promise<void> {
  pause();
  await startRun();
  await play();
}

export async function runSweep(): Promise<void> {
  const s = useScore2d.getState();
  if (!s.defaults) return;
  s.set({ sweeping: true, sweep: [] });
  try {
    const onPoint = Comlink.proxy(
      (
        p: Parameters<NonNullable<Parameters<ReturnType<typeof getWorker>['score2dSweep']>[1]>>[0],
      ) => {
        useScore2d.getState().set({ sweep: [...useScore2d.getState().sweep, p] });
      },
    );
    const defaults = Object.fromEntries(
      Object.entries(s.defaults).map(([k, v]) => [k, { ...v, sde: s.sde }]),
    ) as typeof s.defaults;
    defaults.ddpm = { ...defaults.ddpm, sde: 'vp' };
    await getWorker().score2dSweep(
      { data: currentData(), settings: defaults, n: 1000, seed: usePlayground.getState().seed },
      onPoint,
    );
  } catch (err) {
    useScore2d.getState().set({ error: message(err) });
  } finally {
    useScore2d.getState().set({ sweeping: false });
  }
}

/** The model's PF-ODE density on a grid and its held-out log-likelihood (the chosen score). */
export async function runModelDensity(): Promise<void> {
  const s = useScore2d.getState();
  if (s.densityBusy) return;
  s.set({ densityBusy: true });
  try {
    const score = s.score;
    const d = await getWorker().score2dModelDensity({ data: currentData(), sde: s.sde, score });
    useScore2d.getState().set({ modelDensity: { ...d, score }, error: null });
  } catch (err) {
    useScore2d.getState().set({ error: message(err) });
  } finally {
    useScore2d.getState().set({ densityBusy: false });
  }
}

/** Training steps per press of Train (the CLI's default). */
export const TRAIN_STEPS = DEFAULT_LEARNED.steps;

export async function train(): Promise<void> {
  const s = useScore2d.getState();
  if (s.training || !s.info) return;
  s.set({ training: true, error: null });
  const t0 = performance.now();
  const before = s.trainSeconds ?? 0;
  try {
    const r = await getWorker().score2dTrain(
      { data: currentData(), objective: s.objective, steps: TRAIN_STEPS },
      Comlink.proxy((e: { step: number; loss: number; msPerStep: number }) => {
        const now = useScore2d.getState();
        now.set({
          trainStep: e.step,
          losses: [...now.losses.filter((l) => l.step < e.step), { step: e.step, loss: e.loss }],
          msPerTrainStep: e.msPerStep,
          trainSeconds: before + (performance.now() - t0) / 1000,
        });
        if (e.step % 200 === 0) void loadLearnedField();
      }),
    );
    useScore2d.getState().set({ trainStep: r.step });
    await loadLearnedField();
  } catch (err) {
    useScore2d.getState().set({ error: message(err) });
  } finally {
    useScore2d.getState().set({ training: false });
  }
}

export async function pauseTraining(): Promise<void> {
  await getWorker().score2dPauseTraining();
}

export async function loadLearnedField(): Promise<void> {
  const s = useScore2d.getState();
  try {
    const f = await getWorker().score2dLearnedField({
      data: currentData(),
      level: { sde: s.sde, t: s.level },
      grid: 48,
      arrows: 21,
    });
    useScore2d.getState().set({ learnedField: f });
  } catch (err) {
    useScore2d.getState().set({ error: message(err) });
  }
}
