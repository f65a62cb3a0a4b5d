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
import type { ResolvedOptions } from './options';
import { isScoreSampler, makeScorePlan, type ScorePlanStep } from './scorePlan';

/** One reverse step: the model sees `modelT`; `sigma` > 0 means fresh noise z is drawn. */
export type PlanStep =
  | { kind: 'ddpm'; modelT: number; sigma: number }
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
  steps: PlanStep[];
  variance: DdpmVariance;
  eta: number;
}

/**
 * DDPM: every training step, t = T−1 … 0 (Ho et al. 2020, Alg. 2). DDIM: the evenly spaced
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
  if (isScoreSampler(sampler)) {
    steps.push(...makeScorePlan(schedule, { ...opts, sampler }));
  } else if (sampler === 'ddpm') {
    for (let t = schedule.T - 1; t >= 0; t--) {
      steps.push({ kind: 'ddpm', modelT: t, sigma: t > 0 ? ddpmSigma(schedule, t, variance) : 0 });
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
  return { schedule, steps, variance, eta };
}

/** x_{t−1} and x̂_0 for one plan step; `noise` is needed exactly when step.sigma > 0. */
export function reverseStep(
  plan: SamplingPlan,
  step: PlanStep,
  xt: tf.Tensor4D,
  eps: tf.Tensor4D,
  noise: tf.Tensor4D | undefined,
  clipX0: boolean,
): StepResult<tf.Rank.R4> {
  if (isScorePlanStep(step)) throw new Error(`${step.kind} steps run through scoreStep`);
  if (step.kind === 'ddpm') {
    const { schedule, variance } = plan;
    return ddpmStep({ xt, t: step.modelT, eps, schedule, noise, variance, clipX0 });
  }
  const { alphaBar, alphaBarPrev } = step;
  return ddimStep({ xt, eps, alphaBar, alphaBarPrev, eta: plan.eta, noise, clipX0 });
}
