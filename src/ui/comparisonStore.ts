// Samplers side by side (below the Reverse sampling view's grid): each side's sampler and its
// settings, the run in progress and the last result. The sides share the Reverse sampling view's
// class, seed (so x_T), guidance scale, x̂₀ clipping and number of images.
import { create } from 'zustand';
import type { ComparisonResult } from '../worker/api';
import { SAMPLER_CHOICES, isSamplerId, type SamplerId } from './samplerChoices';

export interface SideSettings {
  sampler: SamplerId;
  /** Used when the sampler's step count is chosen (SAMPLER_CHOICES). */
  steps: number;
  eta: number;
  variance: 'beta' | 'betaTilde';
}

export const MAX_COMPARISON_STEPS = 1000;

export const DEFAULT_SIDES: readonly [SideSettings, SideSettings] = [
  { sampler: 'ddpm', steps: 1000, eta: 1, variance: 'beta' },
  { sampler: 'ddim', steps: 50, eta: 0, variance: 'beta' },
];

/** A side within range (whoever set it): a known sampler, steps 1..1000, η in [0, 1]. */
export function validSide(side: Partial<SideSettings>, fallback: SideSettings): SideSettings {
  const sampler =
    side.sampler !== undefined && isSamplerId(side.sampler) ? side.sampler : fallback.sampler;
  const steps =
    typeof side.steps === 'number' && Number.isFinite(side.steps)
      ? Math.max(1, Math.min(MAX_COMPARISON_STEPS, Math.round(side.steps)))
      : fallback.steps;
  const eta =
    typeof side.eta === 'number' && Number.isFinite(side.eta)
      ? Math.max(0, Math.min(1, side.eta))
      : fallback.eta;
  const variance =
    side.variance === 'beta' || side.variance === 'betaTilde' ? side.variance : fallback.variance;
  return { sampler, steps, eta, variance };
}

/** The step count a side runs with a model of T training steps. */
export function stepsOf(side: SideSettings, T: number): number {
  return SAMPLER_CHOICES[side.sampler].chooseSteps ? Math.min(side.steps, T) : T;
}

export interface ComparisonShown extends ComparisonResult {
  /** The settings it ran with (the controls may have moved on). */
  settings: SideSettings[];
  /** What the sides shared, in words (class, s, seed). */
  caption: string;
}

interface ComparisonStore {
  sides: [SideSettings, SideSettings];
  running: boolean;
  /** Side running and its steps, while a run is in progress. */
  progress: { side: number; stepsDone: number; totalSteps: number } | null;
  result: ComparisonShown | null;
  error: string | null;
  /** Counts runs: progress of an older run is dropped. */
  run: number;
  setSide(i: 0 | 1, patch: Partial<SideSettings>): void;
  begin(): number;
  setProgress(p: ComparisonStore['progress']): void;
  finish(outcome: { result?: ComparisonShown; error?: string }): void;
}

export const useComparison = create<ComparisonStore>((set) => ({
  sides: [DEFAULT_SIDES[0], DEFAULT_SIDES[1]],
  running: false,
  progress: null,
  result: null,
  error: null,
  run: 0,
  setSide: (i, patch) =>
    set((s) => {
      const sides: [SideSettings, SideSettings] = [s.sides[0], s.sides[1]];
      sides[i] = validSide({ ...s.sides[i], ...patch }, s.sides[i]);
      return { sides };
    }),
  begin: () => {
    let run = 0;
    set((s) => {
      run = s.run + 1;
      return { run, running: true, progress: null, error: null };
    });
    return run;
  },
  setProgress: (progress) => set({ progress }),
  finish: ({ result, error }) =>
    set((s) => ({
      running: false,
      progress: null,
      error: error ?? null,
      result: result ?? s.result,
    })),
}));
