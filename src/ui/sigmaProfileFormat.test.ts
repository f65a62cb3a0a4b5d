import { describe, expect, it } from 'vitest';
import type { SigmaProfile } from '../worker/api';
import { nearestIndex, sigmaFormulaNumbers, sigmaPoints } from './sigmaProfileFormat';

const beta = [1e-4, 2e-4, 0.02];
const betaTilde = [1e-4, 1.0e-4, 0.0199];
const v = [0.5, 0.25, 0.9];
const meanLog = v.map((x, k) => x * Math.log(beta[k]) + (1 - x) * Math.log(betaTilde[k]));
const profile: SigmaProfile = {
  t: [0, 1, 999],
  meanLogSigma: meanLog,
  lowLogSigma: meanLog.map((m) => m - 0.1),
  highLogSigma: meanLog.map((m) => m + 0.1),
  meanV: v,
  logBeta: beta.map(Math.log),
  logBetaTilde: betaTilde.map(Math.log),
  images: 4,
};

describe('the Σ_θ panel numbers', () => {
  it('plots variances at t + 1 with the band around the geometric mean', () => {
    const p = sigmaPoints(profile);
    expect(p.map((x) => x.t1)).toEqual([1, 2, 1000]);
    expect(p[1].beta).toBeCloseTo(2e-4, 12);
    expect(p[1].betaTilde).toBeCloseTo(1e-4, 12);
    // v = 0.25: 2e-4^0.25 · 1e-4^0.75
    expect(p[1].sigma).toBeCloseTo(2e-4 ** 0.25 * 1e-4 ** 0.75, 12);
    expect(p[1].band[0]).toBeLessThan(p[1].sigma);
    expect(p[1].band[1]).toBeGreaterThan(p[1].sigma);
  });

  it('fills eq. 15 with the mean v at the measured t nearest the shared t', () => {
    expect(nearestIndex(profile.t, 0)).toBe(0);
    expect(nearestIndex(profile.t, 3)).toBe(1);
    expect(nearestIndex(profile.t, 700)).toBe(2);
    const n = sigmaFormulaNumbers(profile, 2);
    expect(n.t).toBe(999);
    expect(n.sigma).toBeCloseTo(0.02 ** 0.9 * 0.0199 ** 0.1, 12);
    expect(n.measured).toBeCloseTo(n.sigma, 12);
  });
});
