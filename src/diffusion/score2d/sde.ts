// The three SDEs of Song et al. 2021 (Sec. 3.4, App. B), with the constants and marginals of the
// reference code yang-song/score_sde (`sde_lib.py`). All have a linear drift f(x, t) = c(t)·x, so
// each is described by c(t), the diffusion g(t) and the marginal x_t = a(t)·x_0 + b(t)·z.
import type { Marginal } from './gmm';

export type SdeKind = 'vp' | 'subvp' | 've';
export const SDE_KINDS: readonly SdeKind[] = ['vp', 'subvp', 've'];

export interface SdeParams {
  /** VP and sub-VP: β(t) = β_min + t(β_max − β_min). score_sde: 0.1 and 20. */
  betaMin: number;
  betaMax: number;
  /** VE: σ(t) = σ_min (σ_max/σ_min)^t. score_sde: 0.01 and 50 (here σ_max is scaled to the data). */
  sigmaMin: number;
  sigmaMax: number;
}

export const VP_BETA_MIN = 0.1;
export const VP_BETA_MAX = 20;
export const VE_SIGMA_MIN = 0.01;
/** score_sde's sampling end time: the reverse process stops at t = ε, not 0 (sampling.py). */
export const SAMPLING_EPS: Record<SdeKind, number> = { vp: 1e-3, subvp: 1e-3, ve: 1e-5 };

export interface Sde {
  kind: SdeKind;
  params: SdeParams;
  /** c(t) in f(x, t) = c(t)·x. */
  driftCoef(t: number): number;
  /** g(t). */
  diffusion(t: number): number;
  /** x_t = a x_0 + b z (score_sde `marginal_prob`: mean coefficient and std). */
  marginal(t: number): Marginal;
  /** Std of the prior p_T the reverse process starts from (VP, sub-VP: 1; VE: σ_max). */
  priorStd: number;
}

export function isSdeKind(v: string): v is SdeKind {
  return (SDE_KINDS as readonly string[]).includes(v);
}

/** β(t) = β_min + t(β_max − β_min) (Song et al. 2021, eq. 32 / score_sde VPSDE). */
export function vpBeta(p: SdeParams, t: number): number {
  return p.betaMin + t * (p.betaMax - p.betaMin);
}

/** log of the VP mean coefficient: −¼t²(β_max − β_min) − ½tβ_min (score_sde VPSDE.marginal_prob). */
export function vpLogMeanCoef(p: SdeParams, t: number): number {
  return -0.25 * t * t * (p.betaMax - p.betaMin) - 0.5 * t * p.betaMin;
}

/** σ(t) = σ_min (σ_max/σ_min)^t (score_sde VESDE). */
export function veSigma(p: SdeParams, t: number): number {
  return p.sigmaMin * Math.pow(p.sigmaMax / p.sigmaMin, t);
}

export function makeSde(kind: SdeKind, params: SdeParams): Sde {
  const { betaMin, betaMax, sigmaMin, sigmaMax } = params;
  if (!(betaMin > 0 && betaMax > betaMin) || !(sigmaMin > 0 && sigmaMax > sigmaMin)) {
    throw new RangeError('SDE needs 0 < β_min < β_max and 0 < σ_min < σ_max');
  }
  switch (kind) {
    case 'vp':
      return {
        kind,
        params,
        // dx = −½β(t) x dt + √β(t) dw (Song et al. 2021, eq. 11)
        driftCoef: (t) => -0.5 * vpBeta(params, t),
        diffusion: (t) => Math.sqrt(vpBeta(params, t)),
        marginal: (t) => {
          const l = vpLogMeanCoef(params, t);
          return { a: Math.exp(l), b: Math.sqrt(-Math.expm1(2 * l)) };
        },
        priorStd: 1,
      };
    case 'subvp':
      return {
        kind,
        params,
        // dx = −½β(t) x dt + √(β(t)(1 − e^{−2∫β})) dw (Song et al. 2021, eq. 12)
        driftCoef: (t) => -0.5 * vpBeta(params, t),
        diffusion: (t) => {
          const disc = -Math.expm1(-2 * betaMin * t - (betaMax - betaMin) * t * t);
          return Math.sqrt(vpBeta(params, t) * disc);
        },
        // score_sde subVPSDE.marginal_prob: std = 1 − e^{2·log mean} (the variance of eq. 29's
        // sub-VP marginal is (1 − e^{−∫β})², so its std has no square root).
        marginal: (t) => {
          const l = vpLogMeanCoef(params, t);
          return { a: Math.exp(l), b: -Math.expm1(2 * l) };
        },
        priorStd: 1,
      };
    case 've': {
      const logRatio = Math.log(sigmaMax / sigmaMin);
      return {
        kind,
        params,
        // dx = σ(t) √(2 ln(σ_max/σ_min)) dw (Song et al. 2021, eq. 9 / score_sde VESDE.sde)
        driftCoef: () => 0,
        diffusion: (t) => veSigma(params, t) * Math.sqrt(2 * logRatio),
        marginal: (t) => ({ a: 1, b: veSigma(params, t) }),
        priorStd: sigmaMax,
      };
    }
  }
}

/** score_sde's VPSDE discrete betas: linspace(β_min/N, β_max/N, N) (DDPM's β_i for N steps). */
export function vpDiscreteBetas(p: SdeParams, N: number): Float64Array {
  const out = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    out[i] = p.betaMin / N + (N === 1 ? 0 : (i * (p.betaMax - p.betaMin)) / (N * (N - 1)));
  }
  return out;
}

/** score_sde's VESDE discrete sigmas: exp(linspace(log σ_min, log σ_max, N)). */
export function veDiscreteSigmas(p: SdeParams, N: number): Float64Array {
  const out = new Float64Array(N);
  const l0 = Math.log(p.sigmaMin);
  const l1 = Math.log(p.sigmaMax);
  for (let i = 0; i < N; i++) out[i] = Math.exp(N === 1 ? l1 : l0 + ((l1 - l0) * i) / (N - 1));
  return out;
}

/** Geometric noise levels σ_1 > … > σ_L (Song & Ermon 2019, Sec. 4.1). */
export function geometricSigmas(sigmaFirst: number, sigmaLast: number, L: number): Float64Array {
  if (!(sigmaFirst > 0 && sigmaLast > 0) || !Number.isInteger(L) || L < 1) {
    throw new RangeError('geometric levels need σ_1, σ_L > 0 and L ≥ 1');
  }
  const out = new Float64Array(L);
  for (let i = 0; i < L; i++) {
    out[i] = L === 1 ? sigmaFirst : sigmaFirst * Math.pow(sigmaLast / sigmaFirst, i / (L - 1));
  }
  return out;
}
