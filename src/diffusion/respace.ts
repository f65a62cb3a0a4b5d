// Timestep respacing for few-step samplers (DDIM): which steps to keep and the schedule they imply.
import { scheduleFromBetas, validateT, type Schedule } from './schedule';

/** A schedule over a subset of the original steps; index i is original index timesteps[i]. */
export interface RespacedSchedule extends Schedule {
  /** Kept original timestep indices, ascending; feed timesteps[i] to the model at index i. */
  readonly timesteps: Int32Array;
}

/**
 * The timesteps a `steps`-step sampler visits over T training steps, in DESCENDING order (the
 * order a sampler visits them): t_i = round((T−1)·(steps−1−i)/(steps−1)) for i = 0..steps−1,
 * i.e. round(linspace(T−1, 0, steps)). This is the "linspace" spacing of diffusers' DDIMScheduler
 * (`timestep_spacing="linspace"`), which Lin et al. 2024 ("Common Diffusion Noise Schedules and
 * Sample Steps are Flawed", Sec. 3.3, Table 2) recommend because it starts at the noisiest step.
 * The first step is always t = T−1, where x_T ~ N(0, I) is the right start, and the last is
 * t = 0 (for steps ≥ 2); steps = 1 is the single step t = T−1 straight to x̂₀. The rounding is
 * done in exact integer arithmetic (halves round up), so it can differ from numpy's float
 * rounding by one at exact halves. Since (T−1)/(steps−1) ≥ 1, the steps are strictly decreasing
 * and unique for every steps in 1..T; steps = T keeps every step.
 *
 * (The spacing used before, the first `steps` entries of range(0, T, ⌊T/steps⌋), started far
 * below T−1 whenever steps does not divide T: 501 of 1000 steps started at t = 500.)
 */
export function ddimTimesteps(T: number, steps: number): Int32Array {
  validateT(T, 1);
  if (!Number.isInteger(steps) || steps < 1 || steps > T) {
    throw new RangeError(`steps must be an integer in [1, ${T}] (got ${String(steps)})`);
  }
  const out = new Int32Array(steps);
  if (steps === 1) {
    out[0] = T - 1;
    return out;
  }
  const den = steps - 1;
  for (let i = 0; i < steps; i++) {
    // round(num/den) with integers only: floor((2·num + den) / (2·den)) rounds halves up.
    const num = (T - 1) * (steps - 1 - i);
    out[i] = Math.floor((2 * num + den) / (2 * den));
  }
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
