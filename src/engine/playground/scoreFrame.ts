// The numbers of one score-sampler step that the Reverse sampling view's formula shows.
import { eulerMaruyamaDeltaTau, sigmaBar, stepBeta } from '../../diffusion/scoreSamplers';
import { isScorePlanStep, type PlanStep } from '../sampling/plan';

export interface ScoreStepNumbers {
  /** ᾱ at the step's timestep and at the next level (1 after the last). */
  alphaBar: number;
  alphaBarNext: number;
  /** σ̄ = √((1−ᾱ)/ᾱ) at both (the ODE's time variable, the Langevin noise level). */
  sigmaBar: number;
  sigmaBarNext: number;
  /** Euler–Maruyama: Δτ = ln(ᾱ_next/ᾱ); pc: β' = 1 − ᾱ/ᾱ_next; null where not used. */
  deltaTau: number | null;
  beta: number | null;
  /** Scale of the step's fresh noise (0 when none is drawn). */
  noiseScale: number;
  snr: number;
  stepRatio: number;
  /** The timestep of pf-ode's second evaluation; null when there is none. */
  nextT: number | null;
  final: boolean;
  nfe: number;
}

export function scoreStepNumbers(step: PlanStep): ScoreStepNumbers | null {
  if (!isScorePlanStep(step)) return null;
  const { alphaBar, alphaBarNext, sigma, snr, stepRatio, nextT, final, nfe, kind } = step;
  const moves = alphaBarNext > alphaBar;
  return {
    alphaBar,
    alphaBarNext,
    sigmaBar: sigmaBar(alphaBar),
    sigmaBarNext: sigmaBar(alphaBarNext),
    deltaTau:
      kind === 'euler-maruyama' && moves ? eulerMaruyamaDeltaTau(alphaBar, alphaBarNext) : null,
    beta: kind === 'pc' && moves ? stepBeta(alphaBar, alphaBarNext) : null,
    noiseScale: sigma,
    snr,
    stepRatio,
    nextT: kind === 'pf-ode' ? nextT : null,
    final,
    nfe,
  };
}
