// The list of reverse steps a sampler visits, and one reverse update given ε.
import type * as tf from '@tensorflow/tfjs';
import { ddimTimesteps, respacedSchedule } from '../../diffusion/respace';
import {
  ddimSigma,
  ddimStep,
  ddpmSigma,
  ddpmStep,
  type DdpmVariance,
  type StepResult,
} from '../../diffusion/samplers';
import type { Schedule } from '../../diffusion/schedule';
import { learnedLogVarianceTensor } from '../../diffusion/vlbTensor';
import type { ResolvedOptions, ReverseVariance } from './options';
import { isScoreSampler, makeScorePlan, type ScorePlanStep } from './scorePlan';

/**
 * One reverse step: the model sees `modelT`; `sigma` > 0 means fresh noise z is drawn. A DDPM
 * step works at `index` of the plan's ddpmSchedule (= modelT unless respaced); with a learned
 * Σ_θ its σ is per pixel and `sigma` is the upper end of its range, √β_t.
 */
export type PlanStep =
  | { kind: 'ddpm'; modelT: number; index: number; sigma: number }
  | { kind: 'ddim'; modelT: number; sigma: number; alphaBar: number; alphaBarPrev: number }
  | ScorePlanStep;

export function isScorePlanStep(step: PlanStep): step is ScorePlanStep {
  return isScoreSampler(step.kind);
}

/** Network evaluations of a plan step (DDPM and DDIM: one each). */
export function stepNfe(step: PlanStep): number {
  return isScorePlanStep(step) ? step.nfe : 1;
}

export interface SamplingPlan {
  /** The full training schedule (DDPM steps index into it). */
  schedule: Schedule;
  /** The schedule DDPM steps index into: the full one, or respaced to fewer steps. */
  ddpmSchedule: Schedule;
  steps: PlanStep[];
  variance: ReverseVariance;
  eta: number;
}

/**
 * DDPM: every training step, t = T−1 … 0 (Ho et al. 2020, Alg. 2), or with steps < T the
 * same subset as DDIM on the respaced schedule, whose β' and β̃' then set σ² (improved-diffusion
 * respace.py: a learned Σ_θ interpolates between the respaced β' and β̃'). DDIM: the evenly spaced
 * subset of ddimTimesteps, on the respaced schedule over it (Song et al. 2021, Sec. 4.2); the
 * model is fed the original timestep `timesteps[i]` of respaced index i (respace.ts), and the
 * step after the last one has ᾱ_prev = 1 (x_0 itself).
 */
export function makePlan(
  schedule: Schedule,
  opts: Pick<ResolvedOptions, 'sampler' | 'steps' | 'eta' | 'variance'> &
    Partial<Pick<ResolvedOptions, 'snr' | 'langevinSteps' | 'langevinStepRatio'>>,
): SamplingPlan {
  const { variance, eta, sampler } = opts;
  const steps: PlanStep[] = [];
  let ddpmSchedule = schedule;
  if (isScoreSampler(sampler)) {
    steps.push(...makeScorePlan(schedule, { ...opts, sampler }));
  } else if (sampler === 'ddpm') {
    const respaced = opts.steps < schedule.T;
    const r = respaced ? respacedSchedule(schedule, ddimTimesteps(schedule.T, opts.steps)) : null;
    ddpmSchedule = r ?? schedule;
    const fixed: DdpmVariance = variance === 'learned' ? 'beta' : variance;
    for (let j = ddpmSchedule.T - 1; j >= 0; j--) {
      const modelT = r ? r.timesteps[j] : j;
      const sigma = j > 0 ? ddpmSigma(ddpmSchedule, j, fixed) : 0;
      steps.push({ kind: 'ddpm', modelT, index: j, sigma });
    }
  } else {
    const r = respacedSchedule(schedule, ddimTimesteps(schedule.T, opts.steps));
    for (let j = r.T - 1; j >= 0; j--) {
      const alphaBar = r.alphaBars[j];
      const alphaBarPrev = j > 0 ? r.alphaBars[j - 1] : 1;
      const sigma = ddimSigma(alphaBar, alphaBarPrev, eta);
      steps.push({ kind: 'ddim', modelT: r.timesteps[j], sigma, alphaBar, alphaBarPrev });
    }
  }
  return { schedule, ddpmSchedule, steps, variance, eta };
}

/**
 * x_{t−1} and x̂_0 for one plan step; `noise` is needed exactly when step.sigma > 0, `v` (the
 * model's variance output) when the plan's variance is "learned".
 */
export function reverseStep(
  plan: SamplingPlan,
  step: PlanStep,
  xt: tf.Tensor4D,
  eps: tf.Tensor4D,
  noise: tf.Tensor4D | undefined,
  clipX0: boolean,
  v: tf.Tensor4D | null = null,
): StepResult<tf.Rank.R4> {
  if (isScorePlanStep(step)) throw new Error(`${step.kind} steps run through scoreStep`);
  if (step.kind === 'ddpm') {
    const { ddpmSchedule: schedule, variance } = plan;
    const t = step.index;
    if (variance !== 'learned') {
      return ddpmStep({ xt, t, eps, schedule, noise, variance, clipX0 });
    }
    if (v === null) throw new Error("a learned Σ_θ step needs the model's variance output v");
    const logVariance = learnedLogVarianceTensor(schedule, t, v);
    try {
      return ddpmStep({ xt, t, eps, schedule, noise, variance: 'beta', logVariance, clipX0 });
    } finally {
      logVariance.dispose();
    }
  }
  const { alphaBar, alphaBarPrev } = step;
  return ddimStep({ xt, eps, alphaBar, alphaBarPrev, eta: plan.eta, noise, clipX0 });
}
