// State of the "Score & SDE" view: the data set, the noise level of the field, the sampler and its
// settings, the recorded run (snapshots the scrubber moves over) and the NFE sweep.
import { create } from 'zustand';
import type { PresetName, SamplerName, SamplerSettings, SdeKind } from '../diffusion/score2d';
import type {
  Score2dDataInfo,
  Score2dField,
  Score2dFrame,
  Score2dLearnedField,
  Score2dModelDensity,
  Score2dSweepPoint,
} from '../worker/api';

/** One recorded moment of a run (the particles are kept as the worker sent them). */
export type Snapshot = Omit<Score2dFrame, 'msPerStep'>;

export interface Score2dState {
  preset: PresetName | 'drawn';
  drawnPoints: [number, number][];
  sampler: SamplerName;
  sde: SdeKind;
  /** Noise level of the field: t ∈ [0, 1] of the chosen SDE. */
  level: number;
  /** Steps of the sampler (N, or T per level for annealed Langevin); null: the default. */
  steps: number | null;
  /** Number of particles. */
  n: number;
  info: Score2dDataInfo | null;
  defaults: Record<SamplerName, SamplerSettings> | null;
  field: Score2dField | null;
  showArrows: boolean;
  snapshots: Snapshot[];
  frameIndex: number;
  playing: boolean;
  busy: boolean;
  /** Milliseconds per sampler step (2,000 particles) and per drawn frame, last measured. */
  msPerStep: number | null;
  msPerDraw: number | null;
  sweep: Score2dSweepPoint[];
  sweeping: boolean;
  /** The PF-ODE model density and held-out log-likelihood, and the score it was computed with. */
  modelDensity: (Score2dModelDensity & { score: 'exact' | 'learned' }) | null;
  densityBusy: boolean;
  /** Which score the samplers use. */
  score: 'exact' | 'learned';
  objective: 'eps' | 'dsm';
  training: boolean;
  /** Adam steps done and the loss curve (mean per coordinate). */
  trainStep: number;
  losses: { step: number; loss: number }[];
  msPerTrainStep: number | null;
  /** Wall-clock seconds of training so far (all presses of Train together). */
  trainSeconds: number | null;
  learnedField: Score2dLearnedField | null;
  error: string | null;
  set(patch: Partial<Score2dState>): void;
}

export const useScore2d = create<Score2dState>()((set) => ({
  preset: 'mixture',
  drawnPoints: [],
  sampler: 'reverse-sde',
  sde: 'vp',
  level: 0.1,
  steps: null,
  n: 2000,
  info: null,
  defaults: null,
  field: null,
  showArrows: true,
  snapshots: [],
  frameIndex: 0,
  playing: false,
  busy: false,
  msPerStep: null,
  msPerDraw: null,
  sweep: [],
  sweeping: false,
  modelDensity: null,
  densityBusy: false,
  score: 'exact',
  objective: 'eps',
  training: false,
  trainStep: 0,
  losses: [],
  msPerTrainStep: null,
  trainSeconds: null,
  learnedField: null,
  error: null,
  set: (patch) => set(patch),
}));

/** The settings the next run uses: the sampler's defaults with the chosen SDE and steps. */
export function currentSettings(s: Score2dState): SamplerSettings | null {
  if (!s.defaults) return null;
  const base = s.defaults[s.sampler];
  return { ...base, sde: s.sampler === 'ddpm' ? 'vp' : s.sde, steps: s.steps ?? base.steps };
}
