// The noise-aware classifier of classifier guidance, as the Reverse sampling view shows it: which
// one guides the data set (shipped or trained here) with its accuracy per t-bucket, and the
// in-browser training in progress (kept here, so it survives leaving the view and coming back).
import { create } from 'zustand';
import type { NoisyClassifierInfo, NoisyClassifierTrainingEvent } from '../worker/api';

export type NoisyClassifierTrainingStatus = 'idle' | 'training' | 'cancelling';

interface NoisyClassifierStore {
  /** Per data set, once known. */
  info: Record<string, NoisyClassifierInfo | null>;
  status: NoisyClassifierTrainingStatus;
  /** The data set being trained for. */
  dataset: string | null;
  progress: NoisyClassifierTrainingEvent | null;
  error: string | null;
  /** Seconds of the next training (the budget the learning rate's cosine is fitted to). */
  seconds: number;
  setInfo(dataset: string, info: NoisyClassifierInfo | null): void;
  setSeconds(seconds: number): void;
  begin(dataset: string): void;
  setProgress(e: NoisyClassifierTrainingEvent): void;
  setStatus(status: NoisyClassifierTrainingStatus): void;
  finish(outcome: { error?: string }): void;
}

export const TRAINING_SECONDS = { min: 5, max: 600, default: 60 };

export const useNoisyClassifier = create<NoisyClassifierStore>()((set) => ({
  info: {},
  status: 'idle',
  dataset: null,
  progress: null,
  error: null,
  seconds: TRAINING_SECONDS.default,
  setInfo: (dataset, info) => set((s) => ({ info: { ...s.info, [dataset]: info } })),
  setSeconds: (seconds) =>
    set({
      seconds: Number.isFinite(seconds)
        ? Math.min(TRAINING_SECONDS.max, Math.max(TRAINING_SECONDS.min, Math.round(seconds)))
        : TRAINING_SECONDS.default,
    }),
  begin: (dataset) => set({ status: 'training', dataset, progress: null, error: null }),
  setProgress: (progress) => set({ progress }),
  setStatus: (status) => set({ status }),
  finish: ({ error }) => set({ status: 'idle', error: error ?? null }),
}));
