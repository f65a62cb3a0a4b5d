// Sampling options, their defaults and validation (pure TypeScript, no tfjs).
import type { DdpmVariance } from '../../diffusion/samplers';
import { isScoreSampler, SCORE_SAMPLERS, type ScoreSamplerKind } from './scorePlan';
import { resolveScoreOptions, type ScoreSamplerOptions } from './scoreOptions';

/** σ² = β, β̃, or the model's learned Σ_θ (Nichol & Dhariwal 2021, eq. 15; DDPM only). */
export type ReverseVariance = DdpmVariance | 'learned';
export const REVERSE_VARIANCES: readonly ReverseVariance[] = ['beta', 'betaTilde', 'learned'];

export type SamplerKind = 'ddpm' | 'ddim' | ScoreSamplerKind;
export const SAMPLER_KINDS: readonly SamplerKind[] = ['ddpm', 'ddim', ...SCORE_SAMPLERS];

export interface SamplingOptions extends ScoreSamplerOptions {
  /** Number of images sampled together as one batch. */
  n: number;
  sampler: SamplerKind;
  /**
   * Number of respaced steps (levels for the score samplers), in [1, T]. DDIM and the score
   * samplers: default min(50, T). DDPM: default T (Alg. 2); fewer runs DDPM on the respaced
   * schedule (improved-diffusion respace.py).
   */
  steps?: number;
  /** DDIM only: 0 = deterministic DDIM, 1 = DDPM-like noise (Song et al. 2021, eq. 16). */
  eta?: number;
  /**
   * DDPM only: σ_t² = β_t (default; Ho et al.'s CIFAR-10 "fixedlarge"), β̃_t, or "learned" (the
   * model's Σ_θ; only for a model that learns it).
   */
  variance?: ReverseVariance;
  /**
   * One label per image (0..numClasses-1, or numClasses = the null class), or null for
   * unconditional sampling (all null labels; required for unconditional models).
   */
  classes: readonly number[] | null;
  /** Any safe integer; all noise derives from it (see seeds.ts). */
  seed: number;
  /** Classifier-free guidance scale s (Ho & Salimans 2022); default 1 = plain conditional. */
  guidanceScale?: number;
  /** Clamp x̂_0 to [−1, 1] inside every step (default true, as in Ho et al.'s code). */
  clipX0?: boolean;
  /** Keep every step's x_t and x̂_0 on the CPU for scrubbing (one readback per step). */
  recordTrajectory?: boolean;
}

export interface ResolvedOptions extends Required<ScoreSamplerOptions> {
  n: number;
  sampler: SamplerKind;
  steps: number;
  eta: number;
  variance: ReverseVariance;
  classes: Int32Array | null;
  seed: number;
  guidanceScale: number;
  clipX0: boolean;
  recordTrajectory: boolean;
}

export const DEFAULT_DDIM_STEPS = 50;

export function validateGuidanceScale(s: number): number {
  if (typeof s !== 'number' || !Number.isFinite(s)) {
    throw new RangeError(`guidance scale must be a finite number (got ${String(s)})`);
  }
  return s;
}

function resolveClasses(
  classes: readonly number[] | null,
  n: number,
  numClasses: number,
): Int32Array | null {
  if (classes === null) return null;
  if (numClasses === 0) throw new RangeError('class labels given to an unconditional model');
  if (classes.length !== n) {
    throw new RangeError(`classes must have one label per image (${n}), got ${classes.length}`);
  }
  for (const c of classes) {
    if (!Number.isInteger(c) || c < 0 || c > numClasses) {
      throw new RangeError(
        `class labels must be integers in [0, ${numClasses}] (${numClasses} = null), got ${c}`,
      );
    }
  }
  return Int32Array.from(classes);
}

/** Fills in defaults and throws a RangeError on any invalid option. */
export function resolveOptions(
  opts: SamplingOptions,
  numClasses: number,
  T: number,
  learnsSigma = false,
): ResolvedOptions {
  const { n, sampler, seed } = opts;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`n must be an integer >= 1 (got ${n})`);
  if (sampler !== 'ddpm' && sampler !== 'ddim' && !isScoreSampler(sampler)) {
    const list = SAMPLER_KINDS.map((k) => `"${k}"`).join(', ');
    throw new RangeError(`sampler must be one of ${list} (got ${String(sampler)})`);
  }
  if (!Number.isSafeInteger(seed))
    throw new RangeError(`seed must be a safe integer (got ${seed})`);
  const steps = opts.steps ?? (sampler === 'ddpm' ? T : Math.min(DEFAULT_DDIM_STEPS, T));
  if (!Number.isInteger(steps) || steps < 1 || steps > T) {
    throw new RangeError(`steps must be an integer in [1, ${T}] (got ${steps})`);
  }
  const eta = opts.eta ?? 0;
  if (!(Number.isFinite(eta) && eta >= 0)) {
    throw new RangeError(`eta must be a finite number >= 0 (got ${eta})`);
  }
  const variance = opts.variance ?? 'beta';
  if (variance !== 'beta' && variance !== 'betaTilde' && variance !== 'learned') {
    throw new RangeError(
      `variance must be "beta", "betaTilde" or "learned" (got ${String(variance)})`,
    );
  }
  if (variance === 'learned' && !learnsSigma) {
    throw new RangeError(
      'variance "learned" needs a model trained with a learned Σ_θ (train --learn-sigma); ' +
        'this model has only the fixed σ² = β or β̃',
    );
  }
  return {
    ...resolveScoreOptions(opts),
    n,
    sampler,
    steps,
    eta,
    variance,
    classes: resolveClasses(opts.classes, n, numClasses),
    seed,
    guidanceScale: validateGuidanceScale(opts.guidanceScale ?? 1),
    clipX0: opts.clipX0 ?? true,
    recordTrajectory: opts.recordTrajectory ?? false,
  };
}
