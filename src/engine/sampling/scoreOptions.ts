// Options of the score-based samplers (pure TypeScript, no tfjs) and their validation.
import { DEFAULT_LANGEVIN_STEP_RATIO, DEFAULT_SNR } from '../../diffusion/scoreSamplers';
import { DEFAULT_LANGEVIN_STEPS } from './scorePlan';

export const MAX_LANGEVIN_STEPS = 100;

export interface ScoreSamplerOptions {
  /** pc: the Langevin corrector's signal-to-noise ratio r (score_sde default 0.16). */
  snr?: number;
  /** annealed-langevin: Langevin steps per noise level M (default 1). */
  langevinSteps?: number;
  /** annealed-langevin: ε/σ_L², α_i = ratio·σ̄_i² (default 0.2, NCSN's ε = 2e-5 at σ_L = 0.01). */
  langevinStepRatio?: number;
}

export function validateSnr(snr: number): number {
  if (!(typeof snr === 'number' && Number.isFinite(snr) && snr > 0 && snr <= 1)) {
    throw new RangeError(`snr must be a number in (0, 1] (got ${String(snr)})`);
  }
  return snr;
}

export function resolveScoreOptions(opts: ScoreSamplerOptions): Required<ScoreSamplerOptions> {
  const snr = validateSnr(opts.snr ?? DEFAULT_SNR);
  const langevinSteps = opts.langevinSteps ?? DEFAULT_LANGEVIN_STEPS;
  if (!Number.isInteger(langevinSteps) || langevinSteps < 1 || langevinSteps > MAX_LANGEVIN_STEPS) {
    throw new RangeError(
      `Langevin steps per level must be an integer in [1, ${MAX_LANGEVIN_STEPS}] (got ${langevinSteps})`,
    );
  }
  const langevinStepRatio = opts.langevinStepRatio ?? DEFAULT_LANGEVIN_STEP_RATIO;
  if (!(Number.isFinite(langevinStepRatio) && langevinStepRatio > 0 && langevinStepRatio <= 1)) {
    throw new RangeError(`Langevin step ratio must be in (0, 1] (got ${langevinStepRatio})`);
  }
  return { snr, langevinSteps, langevinStepRatio };
}
