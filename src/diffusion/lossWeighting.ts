// Per-timestep weights of the ε-prediction loss. Ho et al. 2020 (eq. 14) weight every t alike.
// Min-SNR-γ (Hang et al. 2023, "Efficient Diffusion Training via Min-SNR Weighting Strategy",
// Sec. 3.4) clamps the signal-to-noise ratio: with an ε-predicting network the weight of
// ‖ε − ε_θ‖² is w_t = min(SNR(t), γ) / SNR(t), so the nearly clean steps (SNR ≫ γ), whose
// gradients fight those of the noisy ones, count less; γ = 5 is the paper's default.
import type { Schedule } from './schedule';

export type LossWeighting = 'uniform' | 'min-snr';

export const LOSS_WEIGHTINGS: readonly LossWeighting[] = ['uniform', 'min-snr'];

/** Hang et al. 2023's default γ. */
export const MIN_SNR_GAMMA = 5;

/** w_t = min(SNR_t, γ)/SNR_t for each index of the schedule (Float64Array of length T). */
export function minSnrWeights(schedule: Schedule, gamma = MIN_SNR_GAMMA): Float64Array {
  if (!(Number.isFinite(gamma) && gamma > 0)) {
    throw new RangeError(`γ must be a positive number (got ${gamma})`);
  }
  return schedule.snr.map((snr) => Math.min(snr, gamma) / snr);
}

/** The weights of a weighting, or null for uniform (every t weighs 1). */
export function lossWeights(schedule: Schedule, weighting: LossWeighting): Float64Array | null {
  switch (weighting) {
    case 'uniform':
      return null;
    case 'min-snr':
      return minSnrWeights(schedule);
    default:
      throw new RangeError(`unknown loss weighting ${JSON.stringify(weighting as unknown)}`);
  }
}

/** What min-SNR-γ does on one schedule, for a view's explanation (t counted from 0). */
export interface MinSnrSummary {
  gamma: number;
  /** The first t whose SNR_t ≤ γ: from there on every t weighs 1. */
  fullWeightFrom: number;
  /** (t, SNR_t, w_t) at a few timesteps below it, smallest t first. */
  points: { t: number; snr: number; weight: number }[];
}

export function minSnrSummary(
  schedule: Schedule,
  at: readonly number[] = [0, 10, 100],
  gamma = MIN_SNR_GAMMA,
): MinSnrSummary {
  const w = minSnrWeights(schedule, gamma);
  const first = schedule.snr.findIndex((snr) => snr <= gamma);
  const fullWeightFrom = first < 0 ? schedule.T : first;
  const points = at
    .filter((t) => Number.isInteger(t) && t >= 0 && t < Math.min(schedule.T, fullWeightFrom))
    .map((t) => ({ t, snr: schedule.snr[t], weight: w[t] }));
  return { gamma, fullWeightFrom, points };
}
