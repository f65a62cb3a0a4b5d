// App state shared by the views (one t, one schedule, one data set), kept in a zustand store.
// Every update, through a setter or setState (the URL hash, stored settings), passes
// validPlayground: the state is never out of range, whoever wrote it.
import { create } from 'zustand';
import type { ScheduleKind } from '../diffusion/schedule';
import type { BackendInfo, DatasetName } from '../worker/api';
import {
  MAX_SEED,
  T_MAX,
  T_MIN,
  clampInt,
  validPlayground,
  type PlaygroundValues,
  type Theme,
  type ViewId,
} from './validation';

export { T_MAX, T_MIN, type Theme, type ViewId };
/** Play speed multipliers offered in the UI (1×: a full t sweep in 4 s). */
export const PLAY_SPEEDS = [0.25, 0.5, 1, 2, 4] as const;

/** The validated values (validation.ts) and what only the page knows. */
export interface PlaygroundState extends PlaygroundValues {
  backend: BackendInfo | null;
  fatalError: string | null;
  /** A dismissible message, e.g. which link settings were ignored. */
  notice: string | null;
  /** The t animation (forward view) is running. */
  playing: boolean;
  /** Multiplies how fast Play runs (the t sweep and the sampler's steps). */
  playSpeed: number;
  setView(view: ViewId): void;
  setDataset(dataset: DatasetName): void;
  setScheduleKind(kind: ScheduleKind): void;
  setT(T: number): void;
  setLinearScaled(scaled: boolean): void;
  setTimestep(t: number): void;
  setImageIndex(index: number): void;
  setSeed(seed: number): void;
  setBackend(info: BackendInfo): void;
  setFatalError(message: string | null): void;
  setNotice(message: string | null): void;
  setPlaying(playing: boolean): void;
  setPlaySpeed(speed: number): void;
  setTheme(theme: Theme): void;
  setClassroom(classroom: boolean): void;
}

export const PLAYGROUND_DEFAULTS: PlaygroundValues = {
  view: 'forward',
  dataset: 'mnist',
  scheduleKind: 'linear',
  T: 1000,
  linearScaled: false,
  t: 250,
  imageIndex: 0,
  seed: 1,
  theme: 'system',
  classroom: false,
};

type Patch = Partial<PlaygroundState> | ((s: PlaygroundState) => Partial<PlaygroundState>);

export const usePlayground = create<PlaygroundState>()((rawSet, _get, api) => {
  const set = (patch: Patch): void =>
    rawSet((s) =>
      validPlayground(
        { ...s, ...(typeof patch === 'function' ? patch(s) : patch) },
        PLAYGROUND_DEFAULTS,
      ),
    );
  // setState from outside (the hash, tests) is validated too.
  api.setState = set as typeof api.setState;
  return {
    ...PLAYGROUND_DEFAULTS,
    backend: null,
    fatalError: null,
    notice: null,
    playing: false,
    playSpeed: 1,
    setView: (view) => set({ view }),
    // A new data set has other images: start from its first one.
    setDataset: (dataset) => set({ dataset, imageIndex: 0 }),
    setScheduleKind: (scheduleKind) => set({ scheduleKind }),
    // Keep t at the same fraction of the chain when T changes, so the picture stays comparable.
    setT: (T) =>
      set((s) => {
        const nextT = clampInt(T, T_MIN, T_MAX);
        return { T: nextT, t: clampInt((s.t / Math.max(1, s.T - 1)) * (nextT - 1), 0, nextT - 1) };
      }),
    setLinearScaled: (linearScaled) => set({ linearScaled }),
    setTimestep: (t) => set((s) => ({ t: clampInt(t, 0, s.T - 1) })),
    setImageIndex: (imageIndex) => set({ imageIndex }),
    setSeed: (seed) => set({ seed: clampInt(seed, 0, MAX_SEED) }),
    setBackend: (backend) => set({ backend }),
    setFatalError: (fatalError) => set({ fatalError }),
    setNotice: (notice) => set({ notice }),
    setPlaying: (playing) => set({ playing }),
    // Only the offered speeds: anything else (e.g. a tampered value) keeps the current one.
    setPlaySpeed: (speed) =>
      set((s) => ({
        playSpeed: (PLAY_SPEEDS as readonly number[]).includes(speed) ? speed : s.playSpeed,
      })),
    setTheme: (theme) => set({ theme }),
    setClassroom: (classroom) => set({ classroom }),
  };
});

/** Schedule options as the math core takes them: rescaling only for linear and only when valid. */
export function scheduleOptions(
  kind: ScheduleKind,
  T: number,
  linearScaled: boolean,
): { kind: ScheduleKind; T: number; scaled: boolean } {
  return { kind, T, scaled: kind === 'linear' && linearScaled && T > 20 };
}
