// Reverse-sampling state for the Sampling view: the settings, and the trajectory recorded so far
// (one frame per step, as the worker returns them), so the class can step back and scrub.
import { create } from 'zustand';
import type { SamplingFrame, SamplingProgress } from '../worker/api';
import {
  validSampling,
  type ModelLimits,
  type SamplerName,
  validVariance,
  type DdpmVarianceName,
  type SamplingValues,
} from './validation';

export interface SamplingSettings extends SamplingValues {
  sampler: SamplerName;
  steps: number;
  eta: number;
  /** A class index, or -1 for unconditional sampling. */
  classIndex: number;
  guidanceScale: number;
  seed: number;
  n: number;
  /** Clip x̂_0 to [−1, 1] in every step. */
  clipX0: boolean;
  /**
   * DDPM only: σ_t² = β_t or β̃_t (Ho et al. 2020, Sec. 3.2: both gave similar results), or the
   * model's learned Σ_θ (Nichol & Dhariwal 2021, eq. 15; only for a model that has it).
   */
  variance: DdpmVarianceName;
}

/** Also the first grid's settings when a link does not say otherwise (16 images, DDIM 50). */
export const DEFAULT_SAMPLING: SamplingSettings = {
  sampler: 'ddim',
  steps: 50,
  eta: 0,
  classIndex: 3,
  guidanceScale: 3,
  seed: 1,
  // A square 4×4 grid: no empty cell (and the same count as the first grid).
  n: 16,
  clipX0: true,
  variance: 'beta',
  guidanceMethod: 'classifier-free',
  classifierScale: 10,
  // score_sde's corrector snr and one Langevin step per level (engine/sampling/scoreOptions.ts).
  snr: 0.16,
  langevinSteps: 1,
};

/** The index of the last recorded frame at or before `step` (frames are in step order). */
export function frameAtStep(frames: readonly { stepsDone: number }[], step: number): number {
  let index = 0;
  frames.forEach((f, i) => {
    if (f.stepsDone <= step) index = i;
  });
  return index;
}

interface SamplingStore {
  /** Always within `limits` (validSampling), whoever set them. */
  settings: SamplingSettings;
  /** What the model in use allows (its T, its classes). */
  limits: ModelLimits;
  /**
   * The trajectory step a link asked for (at=k): the next automatic run stops there, so the
   * page shows the same x_t as the one that made the link. Null once used.
   */
  pendingStep: number | null;
  /** frames[0] is x_T (before any step); frames[k] is the state after k steps. */
  frames: SamplingFrame[];
  /** How the run shown differs from the settings (e.g. the first grid's own), or null. */
  note: string | null;
  /** Which frame is shown (scrubbing moves it back without losing later frames). */
  view: number;
  playing: boolean;
  busy: boolean;
  /** Steps done of a run advanced many steps in one call (the progress bar); null otherwise. */
  progress: SamplingProgress | null;
  error: string | null;
  /** Why a requested σ² could not be used (e.g. "learned" with a model without Σ_θ), or null. */
  varianceProblem: string | null;
  /** Counts reset()s (model swaps): actions started before the last one are stale. */
  generation: number;
  /** When the first grid was painted (ms since page load), once it has been. */
  firstGridMs: number | null;
  setSettings(patch: Partial<SamplingSettings>): void;
  setLimits(limits: ModelLimits): void;
  setPendingStep(step: number | null): void;
  begin(first: SamplingFrame, note?: string | null): void;
  push(frame: SamplingFrame): void;
  setView(index: number): void;
  setPlaying(playing: boolean): void;
  setBusy(busy: boolean): void;
  setProgress(progress: SamplingProgress | null): void;
  setFirstGridMs(ms: number): void;
  setError(error: string | null): void;
  reset(): void;
}

export const useSampling = create<SamplingStore>()((set) => ({
  settings: DEFAULT_SAMPLING,
  limits: { T: null, numClasses: null },
  pendingStep: null,
  frames: [],
  note: null,
  view: 0,
  playing: false,
  busy: false,
  progress: null,
  error: null,
  varianceProblem: null,
  generation: 0,
  firstGridMs: null,
  setSettings: (patch) =>
    set((s) => {
      const { variance, problem } = validVariance(patch.variance ?? s.settings.variance, s.limits);
      const settings = validSampling({ ...s.settings, ...patch }, s.limits, DEFAULT_SAMPLING);
      return { settings: { ...settings, variance }, varianceProblem: problem };
    }),
  // A new model re-checks the settings against its T and classes (steps clamped to T at load).
  setLimits: (limits) =>
    set((s) => {
      const { variance, problem } = validVariance(s.settings.variance, limits);
      const settings = validSampling(s.settings, limits, DEFAULT_SAMPLING);
      return { limits, settings: { ...settings, variance }, varianceProblem: problem };
    }),
  setPendingStep: (pendingStep) =>
    set({ pendingStep: pendingStep === null ? null : Math.max(0, Math.round(pendingStep)) }),
  begin: (first, note = null) => set({ frames: [first], note, view: 0, error: null }),
  push: (frame) => set((s) => ({ frames: [...s.frames, frame], view: s.frames.length })),
  setView: (index) =>
    set((s) => ({ view: Math.max(0, Math.min(s.frames.length - 1, Math.round(index))) })),
  setPlaying: (playing) => set({ playing }),
  setBusy: (busy) => set({ busy }),
  setProgress: (progress) => set({ progress }),
  setFirstGridMs: (firstGridMs) => set({ firstGridMs }),
  setError: (error) => set({ error }),
  reset: () =>
    set((s) => ({
      frames: [],
      note: null,
      view: 0,
      playing: false,
      busy: false,
      progress: null,
      error: null,
      generation: s.generation + 1,
    })),
}));
