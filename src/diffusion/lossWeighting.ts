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
