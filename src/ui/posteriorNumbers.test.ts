import { describe, expect, it } from 'vitest';
import { makeSchedule } from '../diffusion/schedule';
import { ddimTimesteps } from '../diffusion/respace';
import { posteriorAt } from './posteriorNumbers';

// Independent float64 reference: Ho et al. 2020, eqs. 6–7, from the linear betas directly.
function reference(betas: number[], t: number, tPrevAlphaBar?: number) {
  let alphaBar = 1;
  for (let s = 0; s <= t; s++) alphaBar *= 1 - betas[s];
  const alphaBarPrev = tPrevAlphaBar ?? alphaBar / (1 - betas[t]);
  const beta = 1 - alphaBar / alphaBarPrev;
  return {
    c1: (Math.sqrt(alphaBarPrev) * beta) / (1 - alphaBar),
    c2: (Math.sqrt(1 - beta) * (1 - alphaBarPrev)) / (1 - alphaBar),
    betaTilde: (beta * (1 - alphaBarPrev)) / (1 - alphaBar),
    beta,
  };
}

describe('posteriorAt', () => {
  const T = 1000;
  const schedule = makeSchedule({ kind: 'linear', T });
  const betas = Array.from({ length: T }, (_, s) => 1e-4 + ((0.02 - 1e-4) * s) / (T - 1));
  const alphaBarAt = (t: number) => betas.slice(0, t + 1).reduce((p, b) => p * (1 - b), 1);

  it('gives DDPM’s μ̃ coefficients and β̃ at t (every step visited)', () => {
    const p = posteriorAt(schedule, 600, { sampler: 'ddpm', steps: T });
    const r = reference(betas, 600);
    expect(p?.tPrev).toBe(599);
    expect(p?.c1).toBeCloseTo(r.c1, 12);
    expect(p?.c2).toBeCloseTo(r.c2, 12);
    expect(p?.betaTilde).toBeCloseTo(r.betaTilde, 12);
    // β̃ is below β: the posterior is narrower than the forward step.
    expect(p!.betaTilde).toBeLessThan(p!.beta);
  });
  it('uses the respaced schedule between DDIM’s kept steps (50 of 1000)', () => {
    const kept = ddimTimesteps(T, 50);
    const [t, prev] = [kept[0], kept[1]];
    const p = posteriorAt(schedule, t, { sampler: 'ddim', steps: 50 });
    expect(p?.tPrev).toBe(prev);
    const r = reference(betas, t, alphaBarAt(prev));
    expect(p?.beta).toBeCloseTo(r.beta, 12);
    expect(p?.c1).toBeCloseTo(r.c1, 12);
    expect(p?.c2).toBeCloseTo(r.c2, 12);
    expect(p?.betaTilde).toBeCloseTo(r.betaTilde, 12);
    // The last step goes to x₀: β̃ = 0 and μ̃ = x̂₀.
    const last = posteriorAt(schedule, 0, { sampler: 'ddim', steps: 50 });
    expect(last?.tPrev).toBe(-1);
    expect(last?.betaTilde).toBe(0);
    expect(last?.c1).toBeCloseTo(1, 12);
    expect(last?.c2).toBeCloseTo(0, 12);
  });
  it('returns null for a timestep the sampler does not visit', () => {
    expect(
      posteriorAt(schedule, ddimTimesteps(T, 50)[0] - 1, { sampler: 'ddim', steps: 50 }),
    ).toBeNull();
    expect(posteriorAt(schedule, T, { sampler: 'ddpm', steps: T })).toBeNull();
  });
});
