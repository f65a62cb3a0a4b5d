// Training state shown by the Training view, kept outside the view so it survives tab switches.
import { create } from 'zustand';
import type { LossWeighting } from '../diffusion/lossWeighting';
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
  /** Raw weights early in a run, their EMA once it has warmed up (from `emaFromStep`). */
  weights: 'raw' | 'ema';
  emaFromStep: number;
}

/** Enough points for a smooth curve; older points are thinned by half when full. */
export const MAX_LOSS_POINTS = 1500;

export interface TrainingSettings {
  preset: 'tiny' | 'small' | 'medium';
  batchSize: number;
  learningRate: number;
  /** How each t weighs in the loss (diffusion/lossWeighting.ts). */
  lossWeighting: LossWeighting;
  pUncond: number;
  targetSteps: number;
  previewEvery: number;
}

export const DEFAULT_SETTINGS: TrainingSettings = {
  preset: 'small',
  batchSize: 32,
  learningRate: 2e-4,
  lossWeighting: 'uniform',
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
  /** The backend's speed measured on the first grid (GFLOP/s), or null if not measured. */
  measuredGflops: number | null;
  /** Why the picked defaults are what they are; null before they are picked. */
  defaultsReason: string | null;
  /** The user changed a setting: picked defaults no longer replace them. */
  edited: boolean;
  /** Train a model that also learns Σ_θ (Improved DDPM's L_hybrid); applies to a new model. */
  learnSigma: boolean;
  setLearnSigma(learnSigma: boolean): void;
  setModel(model: ModelInfo | null): void;
  setSettings(patch: Partial<TrainingSettings>): void;
  /** Defaults picked for this machine; unlike setSettings, they count as not edited. */
  applyDefaults(settings: TrainingSettings, reason: string): void;
  setMeasuredGflops(gflops: number | null): void;
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
  measuredGflops: null,
  defaultsReason: null,
  edited: false,
  learnSigma: false,
  setLearnSigma: (learnSigma) => set({ learnSigma }),
  setModel: (model) => set({ model }),
  setSettings: (patch) => set((s) => ({ settings: { ...s.settings, ...patch }, edited: true })),
  applyDefaults: (settings, reason) => set({ settings, defaultsReason: reason, edited: false }),
  setMeasuredGflops: (measuredGflops) => set({ measuredGflops }),
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
        const { step, data, shape, weights, emaFromStep } = e.preview;
        return { preview: { step, data, shape, weights, emaFromStep } };
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
