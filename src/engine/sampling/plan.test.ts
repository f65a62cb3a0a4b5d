// The step plans (pure numbers, no model).
import { describe, expect, it } from 'vitest';
import { makeSchedule } from '../../diffusion/schedule';
import { resolveOptions } from './options';
import { makePlan } from './plan';

const schedule = makeSchedule({ kind: 'linear', T: 20 });

describe('makePlan', () => {
  it('DDPM visits t = T−1 … 0 with σ² = β_t or β̃_t and no noise at t = 0', () => {
    const opts = resolveOptions({ n: 1, sampler: 'ddpm', classes: null, seed: 0 }, 0, 20);
    const plan = makePlan(schedule, opts);
    expect(plan.steps.map((s) => s.modelT)).toEqual(Array.from({ length: 20 }, (_, i) => 19 - i));
    expect(plan.steps[0].sigma).toBeCloseTo(Math.sqrt(schedule.betas[19]), 15);
    expect(plan.steps[19].sigma).toBe(0);
    const tilde = makePlan(schedule, { ...opts, variance: 'betaTilde' });
    expect(tilde.steps[1].sigma).toBeCloseTo(Math.sqrt(schedule.posteriorVariance[18]), 15);
  });

  it('DDIM chains ᾱ over the kept steps, ends with ᾱ_prev = 1, σ = 0 for η = 0', () => {
    const opts = resolveOptions({ n: 1, sampler: 'ddim', steps: 4, classes: null, seed: 0 }, 0, 20);
    const plan = makePlan(schedule, opts);
    expect(plan.steps.map((s) => s.modelT)).toEqual([19, 13, 6, 0]);
    const ab = plan.steps.map((s) => (s.kind === 'ddim' ? [s.alphaBar, s.alphaBarPrev] : []));
    expect(ab[0]).toEqual([schedule.alphaBars[19], schedule.alphaBars[13]]);
    expect(ab[3]).toEqual([schedule.alphaBars[0], 1]);
    expect(plan.steps.every((s) => s.sigma === 0)).toBe(true);
    const noisy = makePlan(schedule, { ...opts, eta: 1 });
    expect(noisy.steps.slice(0, 3).every((s) => s.sigma > 0)).toBe(true);
    expect(noisy.steps[3].sigma).toBe(0);
  });

  it('rejects bad score-sampler options with a clear message', () => {
    const base = { n: 1, sampler: 'pc' as const, classes: null, seed: 1 };
    expect(() => resolveOptions({ ...base, snr: 0 }, 0, 20)).toThrow(
      /snr must be a number in \(0, 1\]/,
    );
    expect(() => resolveOptions({ ...base, langevinSteps: 0 }, 0, 20)).toThrow(/Langevin steps/);
    expect(() => resolveOptions({ ...base, steps: 21 }, 0, 20)).toThrow(
      /steps must be an integer in \[1, 20\]/,
    );
    expect(() => resolveOptions({ ...base, sampler: 'heun' as 'pc' }, 0, 20)).toThrow(/pf-ode/);
  });

  it('defaults to min(50, T) DDIM steps, β variance, s = 1 and clipping', () => {
    expect(resolveOptions({ n: 2, sampler: 'ddim', classes: [0, 10], seed: 1 }, 10, 20)).toEqual({
      n: 2,
      sampler: 'ddim',
      steps: 20,
      eta: 0,
      variance: 'beta',
      classes: Int32Array.from([0, 10]),
      seed: 1,
      guidanceScale: 1,
      clipX0: true,
      recordTrajectory: false,
      // The score samplers' defaults: score_sde's snr, one Langevin step per level, NCSN's ratio.
      snr: 0.16,
      langevinSteps: 1,
      langevinStepRatio: 0.2,
    });
    expect(resolveOptions({ n: 1, sampler: 'ddim', classes: null, seed: 1 }, 0, 1000).steps).toBe(
      50,
    );
  });
});
