// State of the Likelihood view, outside the view so a run survives tab switches: the settings,
// the run in progress and every term the worker has sent (bits/dim per t and image).
import { create } from 'zustand';
import type { ElboVariance } from '../diffusion/vlb';

export interface LikelihoodSettings {
  /** Test images in the batch, starting at the chosen one. */
  images: number;
  /** "learned": the model's Σ_θ (only runs with a model that has one; the worker refuses others). */
  variance: ElboVariance;
  conditional: boolean;
  seed: number;
}

export const DEFAULT_LIKELIHOOD: LikelihoodSettings = {
  images: 8,
  variance: 'betaTilde',
  conditional: false,
  seed: 0,
};
export const IMAGE_COUNTS: readonly number[] = [1, 4, 8, 16, 32];

export interface LikelihoodRun {
  firstImage: number;
  labels: number[];
  T: number;
  strata: Array<{ start: number; end: number }>;
  /** L_T per image, bits/dim. */
  prior: number[];
  /** terms[i]: bits/dim per image at index i (the paper's L_{t−1}, t = i + 1), null until evaluated. */
  terms: (number[] | null)[];
  evaluated: number;
  startedMs: number;
  /** At the pace so far, as of the last pass; null before the first. */
  secondsLeft: number | null;
  modelLabel: string;
  settings: LikelihoodSettings;
}

interface LikelihoodStore {
  settings: LikelihoodSettings;
  running: boolean;
  cancelling: boolean;
  result: LikelihoodRun | null;
  error: string | null;
  note: string | null;
  /** Counts runs: events of an older run are dropped. */
  run: number;
  setSettings(patch: Partial<LikelihoodSettings>): void;
  begin(): number;
  start(r: Omit<LikelihoodRun, 'terms' | 'evaluated' | 'startedMs' | 'secondsLeft'>): void;
  addTerms(indices: number[], values: number[][], evaluated: number): void;
  finish(outcome: { error?: string; note?: string }): void;
  setCancelling(): void;
}

export const useLikelihood = create<LikelihoodStore>((set, get) => ({
  settings: DEFAULT_LIKELIHOOD,
  running: false,
  cancelling: false,
  result: null,
  error: null,
  note: null,
  run: 0,
  setSettings: (patch) => set({ settings: { ...get().settings, ...patch } }),
  begin: () => {
    const run = get().run + 1;
    set({ run, running: true, cancelling: false, error: null, note: null, result: null });
    return run;
  },
  start: (r) =>
    set({
      result: {
        ...r,
        terms: new Array<number[] | null>(r.T).fill(null),
        evaluated: 0,
        startedMs: performance.now(),
        secondsLeft: null,
      },
    }),
  addTerms: (indices, values, evaluated) => {
    const r = get().result;
    if (!r) return;
    const terms = r.terms.slice();
    indices.forEach((i, k) => {
      if (i >= 0 && i < terms.length) terms[i] = values[k];
    });
    const elapsed = (performance.now() - r.startedMs) / 1000;
    const secondsLeft = evaluated > 0 ? (elapsed / evaluated) * (r.T - evaluated) : null;
    set({ result: { ...r, terms, evaluated, secondsLeft } });
  },
  finish: ({ error, note }) =>
    set({ running: false, cancelling: false, error: error ?? null, note: note ?? null }),
  setCancelling: () => set({ cancelling: true }),
}));
