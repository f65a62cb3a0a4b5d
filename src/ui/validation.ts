// The one validation of the app's state. Every way into it (the URL hash, the inputs, the
// keyboard, stored settings, a model that was just loaded) goes through these functions via the
// stores' setters, so no view ever renders a value outside its range (e.g. t = 250 with T = 100).
// They never throw: a value out of range is clamped, a value of the wrong kind falls back.
import type { ScheduleKind } from '../diffusion/schedule';
import type { DatasetName } from '../worker/api';

export type ViewId =
  | 'forward'
  | 'schedules'
  | 'training'
  | 'sampling'
  | 'evaluate'
  | 'likelihood'
  | 'score'
  | 'latent'
  | 'cascade';
export type Theme = 'system' | 'light' | 'dark';
export type ScoreSamplerName = 'euler-maruyama' | 'pf-ode' | 'pc' | 'annealed-langevin';
export type SamplerName = 'ddpm' | 'ddim' | ScoreSamplerName;

export const VIEWS: readonly ViewId[] = [
  'forward',
  'schedules',
  'training',
  'sampling',
  'evaluate',
  'likelihood',
  'score',
  'latent',
  'cascade',
];
export const DATASETS: readonly DatasetName[] = ['mnist', 'cifar10'];
export const SCHEDULE_KINDS: readonly ScheduleKind[] = ['linear', 'cosine'];
export const THEMES: readonly Theme[] = ['system', 'light', 'dark'];
export const SCORE_SAMPLER_NAMES: readonly ScoreSamplerName[] = [
  'euler-maruyama',
  'pf-ode',
  'pc',
  'annealed-langevin',
];
export const SAMPLERS: readonly SamplerName[] = ['ddpm', 'ddim', ...SCORE_SAMPLER_NAMES];

export function isScoreSamplerName(s: string): s is ScoreSamplerName {
  return (SCORE_SAMPLER_NAMES as readonly string[]).includes(s);
}

export const T_MIN = 2;
export const T_MAX = 4000;
export const MAX_SEED = 2 ** 31 - 1;
/** MNIST's and CIFAR-10's test sets both hold 10 000 images: indices 0..9999. */
export const TEST_SET_SIZE: Readonly<Record<DatasetName, number>> = {
  mnist: 10_000,
  cifar10: 10_000,
};
export const MAX_GUIDANCE = 10;
/** Classifier guidance's scale s (Dhariwal & Nichol 2021 use up to 10 on ImageNet; ours needs more). */
export const MAX_CLASSIFIER_SCALE = 30;
export type GuidanceMethodName = 'classifier-free' | 'classifier' | 'both';
export const GUIDANCE_METHOD_NAMES: readonly GuidanceMethodName[] = [
  'classifier-free',
  'classifier',
  'both',
];
export const MAX_IMAGES = 64;
/** Classes when no model says otherwise (MNIST and CIFAR-10 both have ten). */
export const DEFAULT_NUM_CLASSES = 10;

/** A whole number in [lo, hi]; NaN, ±Infinity and non-numbers become `fallback`. */
export function clampInt(v: unknown, lo: number, hi: number, fallback = lo): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) return Math.min(hi, Math.max(lo, fallback));
  return Math.min(hi, Math.max(lo, Math.round(v)));
}

/** A number in [lo, hi]; NaN, ±Infinity and non-numbers become `fallback`. */
export function clampNumber(v: unknown, lo: number, hi: number, fallback: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) return fallback;
  return Math.min(hi, Math.max(lo, v));
}

export function oneOf<V extends string>(v: unknown, allowed: readonly V[], fallback: V): V {
  return allowed.find((a) => a === v) ?? fallback;
}

export interface PlaygroundValues {
  view: ViewId;
  dataset: DatasetName;
  scheduleKind: ScheduleKind;
  T: number;
  linearScaled: boolean;
  t: number;
  imageIndex: number;
  seed: number;
  theme: Theme;
  classroom: boolean;
}

/** The app state with every value in range; t is clamped to the T in effect (0..T−1). */
export function validPlayground<S extends PlaygroundValues>(s: S, defaults: PlaygroundValues): S {
  const T = clampInt(s.T, T_MIN, T_MAX, defaults.T);
  const dataset = oneOf(s.dataset, DATASETS, defaults.dataset);
  return {
    ...s,
    view: oneOf(s.view, VIEWS, defaults.view),
    dataset,
    scheduleKind: oneOf(s.scheduleKind, SCHEDULE_KINDS, defaults.scheduleKind),
    T,
    linearScaled: typeof s.linearScaled === 'boolean' ? s.linearScaled : defaults.linearScaled,
    t: clampInt(s.t, 0, T - 1, Math.min(defaults.t, T - 1)),
    imageIndex: clampInt(s.imageIndex, 0, TEST_SET_SIZE[dataset] - 1, 0),
    seed: clampInt(s.seed, 0, MAX_SEED, defaults.seed),
    theme: oneOf(s.theme, THEMES, defaults.theme),
    classroom: typeof s.classroom === 'boolean' ? s.classroom : defaults.classroom,
  };
}

export interface SamplingValues {
  sampler: SamplerName;
  steps: number;
  eta: number;
  classIndex: number;
  guidanceScale: number;
  seed: number;
  n: number;
  /** Which guidance steers the class (engine/sampling/guidanceMethod.ts). */
  guidanceMethod: GuidanceMethodName;
  /** s of classifier guidance, in [0, MAX_CLASSIFIER_SCALE]. */
  classifierScale: number;
  /** pc: the Langevin corrector's signal-to-noise ratio r, in [MIN_SNR, 1] (score_sde: 0.16). */
  snr: number;
  /** annealed-langevin: Langevin steps per noise level M, 1..MAX_LANGEVIN_STEPS_UI. */
  langevinSteps: number;
}

/** The corrector's snr r: the engine takes (0, 1]; the control and the link start at 0.01. */
export const MIN_SNR = 0.01;
/** Langevin steps per level M (the engine's MAX_LANGEVIN_STEPS; the main thread cannot import it). */
export const MAX_LANGEVIN_STEPS_UI = 100;

/** What the model in use allows; null fields when no model is loaded yet. */
export interface ModelLimits {
  T: number | null;
  numClasses: number | null;
  /** Whether it has a learned Σ_θ (DDPM's σ² "learned"); absent or null: not known yet. */
  learnSigma?: boolean | null;
}

/** DDPM's σ²: β_t, β̃_t, or a learned Σ_θ (Nichol & Dhariwal 2021, eq. 15). */
export type DdpmVarianceName = 'beta' | 'betaTilde' | 'learned';
export const DDPM_VARIANCES: readonly DdpmVarianceName[] = ['beta', 'betaTilde', 'learned'];

/**
 * The σ² to use: "learned" only with a model known to have Σ_θ (while no model is loaded it is
 * kept, so a link can ask for it before the model arrives). Returns why it was changed, if it was.
 */
export function validVariance(
  v: unknown,
  limits: ModelLimits,
): { variance: DdpmVarianceName; problem: string | null } {
  const variance = oneOf(v, DDPM_VARIANCES, 'beta');
  if (variance === 'learned' && limits.learnSigma === false) {
    return {
      variance: 'beta',
      problem:
        'σ² = learned needs a model trained with a learned Σ_θ (Improved DDPM); this model has ' +
        'only the fixed β and β̃, so σ² = β is used',
    };
  }
  return { variance, problem: null };
}

/**
 * Sampling settings in range for the model in use: DDIM steps at most its T (a link's
 * steps=4000 becomes T when a T = 1000 model loads), a class it has (or −1, unconditional).
 */
export function validSampling<S extends SamplingValues>(
  s: S,
  limits: ModelLimits,
  defaults: SamplingValues,
): S {
  const maxSteps = limits.T ?? T_MAX;
  const numClasses = limits.numClasses ?? DEFAULT_NUM_CLASSES;
  return {
    ...s,
    sampler: oneOf(s.sampler, SAMPLERS, defaults.sampler),
    steps: clampInt(s.steps, 1, maxSteps, Math.min(defaults.steps, maxSteps)),
    eta: clampNumber(s.eta, 0, 1, defaults.eta),
    classIndex: clampInt(s.classIndex, -1, numClasses - 1, -1),
    guidanceScale: clampNumber(s.guidanceScale, 0, MAX_GUIDANCE, defaults.guidanceScale),
    seed: clampInt(s.seed, 0, MAX_SEED, defaults.seed),
    n: clampInt(s.n, 1, MAX_IMAGES, defaults.n),
    guidanceMethod: oneOf(s.guidanceMethod, GUIDANCE_METHOD_NAMES, defaults.guidanceMethod),
    classifierScale: clampNumber(
      s.classifierScale,
      0,
      MAX_CLASSIFIER_SCALE,
      defaults.classifierScale,
    ),
    snr: clampNumber(s.snr, MIN_SNR, 1, defaults.snr),
    langevinSteps: clampInt(s.langevinSteps, 1, MAX_LANGEVIN_STEPS_UI, defaults.langevinSteps),
  };
}
