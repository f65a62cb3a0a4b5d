// The Cascade view's state: its settings (validated and clamped here, the one way in: inputs, keys
// and the share link all use setSettings), the cascade in use, the last sampled run and where the
// scrubber stands, and the browser training's progress.
import { create } from 'zustand';
import type {
  CascadeInfo,
  CascadeSampleResult,
  CascadeTrainProgress,
} from '../worker/cascadeApiTypes';
import { MAX_SEED } from './validation';

export interface CascadeSettings {
  /** The digit the base model is asked for (0–9). */
  classIndex: number;
  /** Classifier-free guidance of the base stage, ε̃ = ε_u + s(ε_c − ε_u). */
  guidance: number;
  n: number;
  /** DDIM steps per stage. */
  steps: number;
  seed: number;
  /** Sampling-time noise augmentation level a ∈ [0, 1] (s = round(a·(T − 1))). */
  augLevel: number;
  /** Truncated augmentation: hand over the base's own x_t at t ≤ s (CDM Sec. 4.2). */
  truncated: boolean;
}

export const CASCADE_DEFAULTS: CascadeSettings = {
  classIndex: 4,
  guidance: 3,
  n: 8,
  steps: 25,
  seed: 0,
  augLevel: 0.1,
  truncated: false,
};

export const CASCADE_LIMITS = {
  guidance: 10,
  n: 16,
  steps: 200,
  trainSteps: 2000,
} as const;

function clamp(v: unknown, lo: number, hi: number, fallback: number, integer: boolean): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) return fallback;
  const x = integer ? Math.round(v) : v;
  return Math.min(hi, Math.max(lo, x));
}

/** Clamps every field into its range; a value of the wrong kind keeps the current one. */
export function validCascadeSettings(
  s: Partial<CascadeSettings>,
  current: CascadeSettings,
): CascadeSettings {
  return {
    classIndex: clamp(s.classIndex, 0, 9, current.classIndex, true),
    guidance: clamp(s.guidance, 0, CASCADE_LIMITS.guidance, current.guidance, false),
    n: clamp(s.n, 1, CASCADE_LIMITS.n, current.n, true),
    steps: clamp(s.steps, 1, CASCADE_LIMITS.steps, current.steps, true),
    seed: clamp(s.seed, 0, MAX_SEED, current.seed, true),
    augLevel: clamp(s.augLevel, 0, 1, current.augLevel, false),
    truncated: typeof s.truncated === 'boolean' ? s.truncated : current.truncated,
  };
}

/** The scrubber runs over both stages: 0..S is the base's x_t (S = x_0), then the SR's. */
export function pipelineLength(result: CascadeSampleResult | null): number {
  if (!result) return 0;
  return result.base.ts.length + 1 + result.sr.ts.length + 1;
}

export interface CascadeState {
  settings: CascadeSettings;
  info: CascadeInfo | null;
  result: CascadeSampleResult | null;
  /** Position of the scrubber over the pipeline (see pipelineLength). */
  at: number;
  /** A position from the link, applied once the next run is in. */
  pendingAt: number | null;
  loading: boolean;
  sampling: boolean;
  playing: boolean;
  training: CascadeTrainProgress | null;
  trainSteps: number;
  error: string | null;
  setSettings(s: Partial<CascadeSettings>): void;
  setAt(at: number): void;
  set(p: Partial<Omit<CascadeState, 'settings' | 'setSettings' | 'setAt' | 'set'>>): void;
}

export const useCascade = create<CascadeState>((set, get) => ({
  settings: CASCADE_DEFAULTS,
  info: null,
  result: null,
  at: 0,
  pendingAt: null,
  loading: false,
  sampling: false,
  playing: false,
  training: null,
  trainSteps: 30,
  error: null,
  setSettings: (s) => set({ settings: validCascadeSettings(s, get().settings) }),
  setAt: (at) => {
    const len = pipelineLength(get().result);
    set({ at: len === 0 ? 0 : clamp(at, 0, len - 1, 0, true) });
  },
  set: (p) => set(p),
}));
