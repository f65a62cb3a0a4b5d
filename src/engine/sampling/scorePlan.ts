// The score-based samplers' plans (Song et al. 2021): which timesteps they visit, in which order,
// how many network evaluations (NFE) each step costs, and whether it draws noise.
import { ddimTimesteps } from '../../diffusion/respace';
import {
  DEFAULT_LANGEVIN_STEP_RATIO,
  DEFAULT_SNR,
  eulerMaruyamaDeltaTau,
  stepBeta,
} from '../../diffusion/scoreSamplers';
import type { Schedule } from '../../diffusion/schedule';

export type ScoreSamplerKind = 'euler-maruyama' | 'pf-ode' | 'pc' | 'annealed-langevin';
export const SCORE_SAMPLERS: readonly ScoreSamplerKind[] = [
  'euler-maruyama',
  'pf-ode',
  'pc',
  'annealed-langevin',
];

export function isScoreSampler(s: unknown): s is ScoreSamplerKind {
  return (SCORE_SAMPLERS as readonly unknown[]).includes(s);
}

/** Default Langevin steps per noise level for annealed Langevin (one: NFE = number of levels). */
export const DEFAULT_LANGEVIN_STEPS = 1;

export interface ScorePlanStep {
  kind: ScoreSamplerKind;
  /** The timestep the model sees first (an index into the training schedule). */
  modelT: number;
  /** ᾱ at modelT. */
  alphaBar: number;
  /** ᾱ of the next level visited; 1 after the last one (then the step returns x̂_0). */
  alphaBarNext: number;
  /** The next step's timestep (pf-ode's second evaluation), null after the last one. */
  nextT: number | null;
  /** Last step: the update returns the model's x̂_0 (score_sde's `denoise`, NCSNv2's final step). */
  final: boolean;
  /** Network evaluations this step makes. */
  nfe: number;
  /** Scale of the step's main noise z (0: none): √Δτ, √β' or √(2α). */
  sigma: number;
  /** pc: the corrector's snr r; annealed-langevin: the step ratio ε/σ_L². */
  snr: number;
  stepRatio: number;
}

export interface ScorePlanOptions {
  sampler: ScoreSamplerKind;
  /** Noise levels visited, 1..T (linspace from T−1 to 0, as DDIM's). */
  steps: number;
  snr?: number;
  langevinSteps?: number;
  langevinStepRatio?: number;
}

/** NFE of a plan: pf-ode 2K−1 (Heun, no second call on the last step), pc 2K, em K, al K·M. */
export function scoreSamplerNfe(
  sampler: ScoreSamplerKind,
  steps: number,
  langevinSteps = 1,
): number {
  switch (sampler) {
    case 'pf-ode':
      return 2 * steps - 1;
    case 'pc':
      return 2 * steps;
    case 'euler-maruyama':
      return steps;
    case 'annealed-langevin':
      return steps * langevinSteps;
  }
}

/** The largest K whose NFE is ≤ nfe (at least 1), for comparing samplers at equal cost. */
export function scoreStepsForNfe(
  sampler: ScoreSamplerKind,
  nfe: number,
  langevinSteps = 1,
): number {
  if (!Number.isInteger(nfe) || nfe < 1)
    throw new RangeError(`NFE must be an integer >= 1 (got ${nfe})`);
  switch (sampler) {
    case 'pf-ode':
      return Math.max(1, Math.floor((nfe + 1) / 2));
    case 'pc':
      return Math.max(1, Math.floor(nfe / 2));
    case 'euler-maruyama':
      return nfe;
    case 'annealed-langevin':
      return Math.max(1, Math.floor(nfe / langevinSteps));
  }
}

/**
 * K model timesteps whose σ̄_t = √((1−ᾱ_t)/ᾱ_t) follow a geometric sequence from σ̄_{T−1} down to
 * σ̄_0 (NCSN's noise levels, Song & Ermon 2019, Sec. 4.1), each target rounded to the model
 * timestep nearest in log σ̄. Small noise levels are sparse among the model's steps, so a
 * timestep may repeat there (more Langevin steps at that level): Langevin mixes slowly at small
 * σ, and evenly spaced t would give it only a few per cent of the levels.
 */
export function geometricLevels(schedule: Schedule, K: number): Int32Array {
  const { T, alphaBars } = schedule;
  if (!Number.isInteger(K) || K < 1 || K > T) {
    throw new RangeError(`steps must be an integer in [1, ${T}] (got ${K})`);
  }
  const logSigma = (t: number) => 0.5 * Math.log((1 - alphaBars[t]) / alphaBars[t]);
  const hi = logSigma(T - 1);
  const lo = logSigma(0);
  const out = new Int32Array(K);
  let t = T - 1;
  for (let i = 0; i < K; i++) {
    const target = K === 1 ? hi : hi + ((lo - hi) * i) / (K - 1);
    // σ̄_t increases with t: walk down while the next step is at least as close.
    while (t > 0 && Math.abs(logSigma(t - 1) - target) <= Math.abs(logSigma(t) - target)) t--;
    out[i] = t;
  }
  return out;
}

export function makeScorePlan(schedule: Schedule, opts: ScorePlanOptions): ScorePlanStep[] {
  const { sampler } = opts;
  const snr = opts.snr ?? DEFAULT_SNR;
  const stepRatio = opts.langevinStepRatio ?? DEFAULT_LANGEVIN_STEP_RATIO;
  const M = sampler === 'annealed-langevin' ? (opts.langevinSteps ?? DEFAULT_LANGEVIN_STEPS) : 1;
  const ts =
    sampler === 'annealed-langevin'
      ? geometricLevels(schedule, opts.steps)
      : ddimTimesteps(schedule.T, opts.steps);
  const ab = (t: number) => schedule.alphaBars[t];
  const out: ScorePlanStep[] = [];
  for (let i = 0; i < ts.length; i++) {
    const modelT = ts[i];
    const last = i === ts.length - 1;
    const alphaBar = ab(modelT);
    const nextT = last ? null : ts[i + 1];
    const alphaBarNext = nextT === null ? 1 : ab(nextT);
    const base = { kind: sampler, modelT, alphaBar, snr, stepRatio };
    switch (sampler) {
      case 'pf-ode':
        out.push({ ...base, alphaBarNext, nextT, final: last, nfe: last ? 1 : 2, sigma: 0 });
        break;
      case 'euler-maruyama': {
        const sigma = last ? 0 : Math.sqrt(eulerMaruyamaDeltaTau(alphaBar, alphaBarNext));
        out.push({ ...base, alphaBarNext, nextT, final: last, nfe: 1, sigma });
        break;
      }
      case 'pc': {
        const sigma = last ? 0 : Math.sqrt(stepBeta(alphaBar, alphaBarNext));
        out.push({ ...base, alphaBarNext, nextT, final: last, nfe: 2, sigma });
        break;
      }
      case 'annealed-langevin':
        // M Langevin steps at each level; the very last evaluation returns x̂_0 instead.
        for (let m = 0; m < M; m++) {
          const lastOfLevel = m === M - 1;
          const final = last && lastOfLevel;
          const next = lastOfLevel ? alphaBarNext : alphaBar;
          const sb2 = (1 - alphaBar) / alphaBar;
          const sigma = final ? 0 : Math.sqrt(2 * stepRatio * sb2);
          out.push({
            ...base,
            alphaBarNext: next,
            nextT: lastOfLevel ? nextT : modelT,
            final,
            nfe: 1,
            sigma,
          });
        }
        break;
    }
  }
  return out;
}
