// State of the "Latent diffusion" view, outside the view so results survive tab switches: the
// settings (validated here: every way in goes through setSettings), the model in use, the
// sampled trajectory and the step shown, the latent walk, the reconstruction and the cost table.
import { create } from 'zustand';
import type {
  LatentCost,
  LatentModelInfo,
  LatentTrajectory,
  LatentWalkResult,
  ReconstructResult,
  LatentTrainingEvent,
} from '../worker/latentApiTypes';
import { MAX_SEED } from './validation';

export interface LatentSettings {
  /** Class asked for, 0..9. */
  classIndex: number;
  /** Classifier-free guidance s, 0..10. */
  guidance: number;
  /** DDIM steps, 2..200. */
  steps: number;
  seed: number;
  /** Reconstruct-from-noise: test image and the t to noise it to (0..T−1). */
  image: number;
  t: number;
  /** Latent walk: two test images and the position α between them. */
  imageA: number;
  imageB: number;
  alpha: number;
}

export const DEFAULT_LATENT: LatentSettings = {
  classIndex: 4,
  guidance: 3,
  steps: 25,
  seed: 0,
  image: 0,
  t: 500,
  imageA: 0,
  imageB: 1,
  alpha: 0.5,
};

export const LATENT_LIMITS = {
  steps: [2, 200],
  guidance: [0, 10],
  image: [0, 9999],
  t: [0, 999],
} as const;

const clampInt = (v: unknown, lo: number, hi: number, fallback: number): number =>
  typeof v === 'number' && Number.isFinite(v)
    ? Math.min(hi, Math.max(lo, Math.round(v)))
    : fallback;
const clampNum = (v: unknown, lo: number, hi: number, fallback: number): number =>
  typeof v === 'number' && Number.isFinite(v) ? Math.min(hi, Math.max(lo, v)) : fallback;

/** Every field clamped into its range; a value of the wrong kind keeps the current one. */
export function validateLatentSettings(
  patch: Partial<LatentSettings>,
  current: LatentSettings,
): LatentSettings {
  const p = { ...current, ...patch };
  return {
    classIndex: clampInt(p.classIndex, 0, 9, current.classIndex),
    guidance: clampNum(p.guidance, 0, 10, current.guidance),
    steps: clampInt(p.steps, 2, 200, current.steps),
    seed: clampInt(p.seed, 0, MAX_SEED, current.seed),
    image: clampInt(p.image, 0, 9999, current.image),
    t: clampInt(p.t, 0, 999, current.t),
    imageA: clampInt(p.imageA, 0, 9999, current.imageA),
    imageB: clampInt(p.imageB, 0, 9999, current.imageB),
    alpha: clampNum(p.alpha, 0, 1, current.alpha),
  };
}

export interface LatentTrainingProgress {
  autoencoder: { step: number; total: number; loss: number | null } | null;
  encode: { step: number; total: number } | null;
  unet: { step: number; total: number; loss: number | null } | null;
}

interface LatentStore {
  settings: LatentSettings;
  info: LatentModelInfo | null;
  loading: boolean;
  trajectory: LatentTrajectory | null;
  /** The trajectory's settings (what the grid shows). */
  trajectoryOf: LatentSettings | null;
  /** Index of the step shown, 0..frames−1. */
  at: number;
  sampling: boolean;
  playing: boolean;
  walk: LatentWalkResult | null;
  reconstruction: ReconstructResult | null;
  reconstructing: boolean;
  cost: LatentCost | null;
  measuring: boolean;
  training: LatentTrainingProgress | null;
  error: string | null;
  setSettings(patch: Partial<LatentSettings>): void;
  set(
    patch: Partial<Omit<LatentStore, 'settings' | 'setSettings' | 'set' | 'setAt' | 'progress'>>,
  ): void;
  setAt(i: number): void;
  progress(e: LatentTrainingEvent): void;
}

export const useLatent = create<LatentStore>((set, get) => ({
  settings: DEFAULT_LATENT,
  info: null,
  loading: false,
  trajectory: null,
  trajectoryOf: null,
  at: 0,
  sampling: false,
  playing: false,
  walk: null,
  reconstruction: null,
  reconstructing: false,
  cost: null,
  measuring: false,
  training: null,
  error: null,
  setSettings: (patch) => set({ settings: validateLatentSettings(patch, get().settings) }),
  set: (patch) => set(patch),
  setAt: (i) => {
    const frames = get().trajectory?.frames.length ?? 0;
    set({ at: Math.max(0, Math.min(frames - 1, Math.round(i))) });
  },
  progress: (e) => {
    const cur = get().training ?? { autoencoder: null, encode: null, unet: null };
    if (e.phase === 'autoencoder') {
      set({ training: { ...cur, autoencoder: { step: e.step, total: e.total, loss: e.loss } } });
    } else if (e.phase === 'encode') {
      set({ training: { ...cur, encode: { step: e.step, total: e.total } } });
    } else {
      set({ training: { ...cur, unet: { step: e.step, total: e.total, loss: e.loss } } });
    }
  },
}));
