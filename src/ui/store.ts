// App state shared by the views (one t, one schedule, one data set), kept in a zustand store.
import { create } from 'zustand';
import type { ScheduleKind } from '../diffusion/schedule';
import type { BackendInfo, DatasetName } from '../worker/api';

export type ViewId = 'forward' | 'schedules' | 'training' | 'sampling' | 'evaluate' | 'likelihood';
export type Theme = 'system' | 'light' | 'dark';

export const T_MIN = 2;
export const T_MAX = 4000;

export interface PlaygroundState {
  view: ViewId;
  dataset: DatasetName;
  scheduleKind: ScheduleKind;
  T: number;
  /** Improved DDPM's 1000/T rescaling of the linear β range (applies only when T > 20). */
  linearScaled: boolean;
  t: number;
  imageIndex: number;
  seed: number;
  backend: BackendInfo | null;
  fatalError: string | null;
  /** A dismissible message, e.g. which link settings were ignored. */
  notice: string | null;
  /** The t animation (forward view) is running. */
  playing: boolean;
  theme: Theme;
  /** Larger type, advanced controls hidden: for projecting in a classroom. */
  classroom: boolean;
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
  setTheme(theme: Theme): void;
  setClassroom(classroom: boolean): void;
}

const clampInt = (v: number, lo: number, hi: number): number =>
  Math.min(hi, Math.max(lo, Math.round(Number.isFinite(v) ? v : lo)));

export const usePlayground = create<PlaygroundState>()((set) => ({
  view: 'forward',
  dataset: 'mnist',
  scheduleKind: 'linear',
  T: 1000,
  linearScaled: false,
  t: 250,
  imageIndex: 0,
  seed: 1,
  backend: null,
  fatalError: null,
  notice: null,
  playing: false,
  theme: 'system',
  classroom: false,
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
  setImageIndex: (imageIndex) => set({ imageIndex: Math.max(0, Math.round(imageIndex)) }),
  setSeed: (seed) => set({ seed: clampInt(seed, 0, 2 ** 31 - 1) }),
  setBackend: (backend) => set({ backend }),
  setFatalError: (fatalError) => set({ fatalError }),
  setNotice: (notice) => set({ notice }),
  setPlaying: (playing) => set({ playing }),
  setTheme: (theme) => set({ theme }),
  setClassroom: (classroom) => set({ classroom }),
}));

/** Schedule options as the math core takes them: rescaling only for linear and only when valid. */
export function scheduleOptions(
  kind: ScheduleKind,
  T: number,
  linearScaled: boolean,
): { kind: ScheduleKind; T: number; scaled: boolean } {
  return { kind, T, scaled: kind === 'linear' && linearScaled && T > 20 };
}
