// Training state shown by the Training view, kept outside the view so it survives tab switches.
import { create } from 'zustand';
import type { ModelInfo, TrainingEvent, TrainingProgress, TrainingState } from '../worker/api';

export interface LossPoint {
  step: number;
  loss: number;
  smoothed: number;
}

export interface PreviewImages {
  step: number;
  data: Float32Array;
  shape: [number, number, number, number];
}

/** Enough points for a smooth curve; older points are thinned by half when full. */
export const MAX_LOSS_POINTS = 1500;

export interface TrainingSettings {
  preset: 'tiny' | 'small' | 'medium';
  batchSize: number;
  learningRate: number;
  pUncond: number;
  targetSteps: number;
  previewEvery: number;
}

export const DEFAULT_SETTINGS: TrainingSettings = {
  preset: 'small',
  batchSize: 32,
  learningRate: 2e-4,
  pUncond: 0.1,
  targetSteps: 2000,
  previewEvery: 100,
};

interface TrainingStore {
  model: ModelInfo | null;
  settings: TrainingSettings;
  state: TrainingState;
  error: string | null;
  progress: TrainingProgress | null;
  losses: LossPoint[];
  preview: PreviewImages | null;
  /** Wall-clock ms when the current run started, and the step it started at (for time left). */
  runStart: { ms: number; step: number } | null;
  setModel(model: ModelInfo | null): void;
  setSettings(patch: Partial<TrainingSettings>): void;
  setError(error: string | null): void;
  onEvent(e: TrainingEvent): void;
  resetHistory(): void;
}

/** Appends a point, halving the history (every other point) when it is full. */
export function appendThinned<T>(points: readonly T[], p: T, max = MAX_LOSS_POINTS): T[] {
  const next = points.length >= max ? points.filter((_, i) => i % 2 === 1) : points.slice();
  next.push(p);
  return next;
}

export const useTraining = create<TrainingStore>()((set) => ({
  model: null,
  settings: DEFAULT_SETTINGS,
  state: 'idle',
  error: null,
  progress: null,
  losses: [],
  preview: null,
  runStart: null,
  setModel: (model) => set({ model }),
  setSettings: (patch) => set((s) => ({ settings: { ...s.settings, ...patch } })),
  setError: (error) => set({ error }),
  onEvent: (e) =>
    set((s) => {
      if (e.type === 'state') {
        const running = e.state === 'running';
        return {
          state: e.state,
          error: e.error ?? (running ? null : s.error),
          runStart: running ? { ms: performance.now(), step: s.progress?.step ?? 0 } : s.runStart,
        };
      }
      if (e.type === 'preview') {
        return { preview: { step: e.preview.step, data: e.preview.data, shape: e.preview.shape } };
      }
      const p = e.progress;
      // One point per reported step, so the raw curve shows the real step-to-step noise.
      let losses = s.losses;
      const first = p.step - p.stepLosses.length + 1;
      p.stepLosses.forEach((loss, i) => {
        losses = appendThinned(losses, { step: first + i, loss, smoothed: p.smoothedLoss });
      });
      const model = s.model ? { ...s.model, trainingSteps: p.step } : s.model;
      return { progress: p, losses, model };
    }),
  resetHistory: () =>
    set({ progress: null, losses: [], preview: null, state: 'idle', error: null, runStart: null }),
}));

/** Seconds left at the current pace, or null when unknown. */
export function secondsLeft(
  progress: TrainingProgress | null,
  runStart: { ms: number; step: number } | null,
  nowMs: number,
): number | null {
  if (!progress || !runStart) return null;
  const done = progress.step - runStart.step;
  if (done <= 0) return null;
  const perStep = (nowMs - runStart.ms) / 1000 / done;
  return Math.max(0, (progress.targetSteps - progress.step) * perStep);
}
