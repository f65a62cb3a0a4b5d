// Timestep respacing for few-step samplers (DDIM): which steps to keep and the schedule they imply.
import { scheduleFromBetas, validateT, type Schedule } from './schedule';

/** A schedule over a subset of the original steps; index i is original index timesteps[i]. */
export interface RespacedSchedule extends Schedule {
  /** Kept original timestep indices, ascending; feed timesteps[i] to the model at index i. */
  readonly timesteps: Int32Array;
}

/**
 * Evenly strided timesteps for a `steps`-step sampler over T training steps, in DESCENDING order
 * (the order a sampler visits them). Rule: t_i = i·⌊T/steps⌋ for i = 0..steps−1, i.e. the first
 * `steps` entries of improved-diffusion's range(0, T, T//steps) (its `space_timesteps(T, 'ddimN')`
 * when steps divides T; diffusers' "leading" spacing always). Index 0 (the least-noisy step) is
 * always kept; steps = T keeps every step.
 */
export function ddimTimesteps(T: number, steps: number): Int32Array {
  validateT(T, 1);
  if (!Number.isInteger(steps) || steps < 1 || steps > T) {
    throw new RangeError(`steps must be an integer in [1, ${T}] (got ${String(steps)})`);
  }
  const stride = Math.floor(T / steps);
  const out = new Int32Array(steps);
  for (let i = 0; i < steps; i++) out[i] = (steps - 1 - i) * stride;
  return out;
}

/**
 * The schedule seen by a sampler that only visits `kept` (any order, unique indices in [0, T)):
 * ᾱ'_i = ᾱ_{kept_i} and β'_i = 1 − ᾱ'_i/ᾱ'_{i−1} with ᾱ'_{−1} = 1 (improved-diffusion respace.py;
 * follows from Ho et al. 2020, eq. 4, since only ᾱ at the visited steps matters). All other
 * constants are then derived from β' exactly as for a full schedule.
 */
export function respacedSchedule(schedule: Schedule, kept: ArrayLike<number>): RespacedSchedule {
  const values = Array.from(kept);
  if (values.length < 1) throw new RangeError('respacedSchedule needs at least one kept timestep');
  for (const t of values) {
    if (!Number.isInteger(t) || t < 0 || t >= schedule.T) {
      throw new RangeError(`kept timesteps must be integers in [0, ${schedule.T - 1}] (got ${t})`);
    }
  }
  const sorted = Int32Array.from(values).sort();
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i] === sorted[i - 1])
      throw new RangeError(`kept timestep ${sorted[i]} appears twice`);
  }
  const betas = new Float64Array(sorted.length);
  let last = 1;
  for (let i = 0; i < sorted.length; i++) {
    const ab = schedule.alphaBars[sorted[i]];
    betas[i] = 1 - ab / last;
    last = ab;
  }
  const base = scheduleFromBetas(betas, { kind: schedule.kind, scaled: schedule.scaled });
  return { ...base, timesteps: sorted };
}
