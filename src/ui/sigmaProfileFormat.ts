// The Σ_θ panel's numbers: chart points (variances, not logs, on a log axis) and the formula's
// numbers at the measured t nearest to the shared t.
import type { SigmaProfile } from '../worker/api';

export interface SigmaPoint {
  /** t + 1, for a log axis that starts at t = 0. */
  t1: number;
  t: number;
  beta: number;
  betaTilde: number;
  /** exp(mean log Σ_θ): the geometric mean over pixels and images. */
  sigma: number;
  /** [10th, 90th] percentile of Σ_θ over pixels and images. */
  band: [number, number];
}

export function sigmaPoints(p: SigmaProfile): SigmaPoint[] {
  return p.t.map((t, k) => ({
    t1: t + 1,
    t,
    beta: Math.exp(p.logBeta[k]),
    betaTilde: Math.exp(p.logBetaTilde[k]),
    sigma: Math.exp(p.meanLogSigma[k]),
    band: [Math.exp(p.lowLogSigma[k]), Math.exp(p.highLogSigma[k])],
  }));
}

/** The index of the measured t nearest to `t` (ties: the smaller t). */
export function nearestIndex(ts: readonly number[], t: number): number {
  let best = 0;
  ts.forEach((v, k) => {
    if (Math.abs(v - t) < Math.abs(ts[best] - t)) best = k;
  });
  return best;
}

/**
 * Σ_θ = exp(v̄·log β_t + (1 − v̄)·log β̃_t) at measured index k, as numbers: mean log Σ_θ is linear
 * in v, so exp of the mean log is the formula at the mean v (Nichol & Dhariwal 2021, eq. 15).
 */
export function sigmaFormulaNumbers(p: SigmaProfile, k: number) {
  const v = p.meanV[k];
  const logBeta = p.logBeta[k];
  const logBetaTilde = p.logBetaTilde[k];
  return {
    t: p.t[k],
    v,
    logBeta,
    logBetaTilde,
    sigma: Math.exp(v * logBeta + (1 - v) * logBetaTilde),
    measured: Math.exp(p.meanLogSigma[k]),
  };
}
