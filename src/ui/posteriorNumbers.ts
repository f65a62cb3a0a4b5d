// The DDPM posterior q(x_{t−1} | x_t, x̂₀) = N(μ̃_t, β̃_t I) at one sampling step, in numbers
// (Ho et al. 2020, eqs. 6–7): μ̃_t = c₁·x̂₀ + c₂·x_t with c₁ = √ᾱ_{t−1} β_t/(1−ᾱ_t) and
// c₂ = √α_t (1−ᾱ_{t−1})/(1−ᾱ_t), β̃_t = β_t (1−ᾱ_{t−1})/(1−ᾱ_t). The coefficients are the
// schedule's float64 arrays that src/diffusion/posterior.ts applies to tensors (the main thread
// does not load tfjs, so the panel reads the same arrays directly). A strided sampler (DDIM)
// steps between kept timesteps: its posterior is the same formula on the respaced schedule.
import { ddimTimesteps, respacedSchedule } from '../diffusion/respace';
import type { Schedule } from '../diffusion/schedule';

export interface PosteriorNumbers {
  /** The model timestep of this step, and the one it steps to (−1: the step to x₀). */
  t: number;
  tPrev: number;
  beta: number;
  alphaBar: number;
  alphaBarPrev: number;
  /** μ̃ = c1·x̂₀ + c2·x_t. */
  c1: number;
  c2: number;
  betaTilde: number;
}

/** The posterior's numbers for the step taken at model timestep t, or null if t is not visited. */
export function posteriorAt(
  schedule: Schedule,
  t: number,
  stride: { sampler: 'ddpm' | 'ddim'; steps: number },
): PosteriorNumbers | null {
  if (!Number.isInteger(t) || t < 0 || t >= schedule.T) return null;
  if (stride.sampler === 'ddpm' || stride.steps === schedule.T) {
    return {
      t,
      tPrev: t - 1,
      beta: schedule.betas[t],
      alphaBar: schedule.alphaBars[t],
      alphaBarPrev: schedule.alphaBarsPrev[t],
      c1: schedule.posteriorMeanCoef1[t],
      c2: schedule.posteriorMeanCoef2[t],
      betaTilde: schedule.posteriorVariance[t],
    };
  }
  const kept = ddimTimesteps(schedule.T, stride.steps);
  const respaced = respacedSchedule(schedule, kept);
  const i = respaced.timesteps.indexOf(t);
  if (i < 0) return null;
  return {
    t,
    tPrev: i > 0 ? respaced.timesteps[i - 1] : -1,
    beta: respaced.betas[i],
    alphaBar: respaced.alphaBars[i],
    alphaBarPrev: respaced.alphaBarsPrev[i],
    c1: respaced.posteriorMeanCoef1[i],
    c2: respaced.posteriorMeanCoef2[i],
    betaTilde: respaced.posteriorVariance[i],
  };
}
