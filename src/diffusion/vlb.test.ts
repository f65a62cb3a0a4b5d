import { describe, expect, it } from 'vitest';
import { makeSchedule } from './schedule';
import {
  approxStandardNormalCdf,
  bitsPerDim,
  decoderNll,
  discretizedGaussianLogLikelihood,
  klTermFromSquaredError,
  klTermPerPixel,
  learnedLogVariance,
  modelLogVariance,
  normalKl,
  priorKl,
  vlbWeight,
} from './vlb';

/** A small seeded generator for the tests (mulberry32 + Box–Muller). */
function gaussians(seed: number) {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** Φ from erfc (Numerical Recipes' Chebyshev fit, relative error < 1.2e-7): exact enough here. */
function exactCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * z);
  const erfc =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t *
                              (-1.13520398 +
                                t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? 1 - 0.5 * erfc : 0.5 * erfc;
}

const linear = makeSchedule({ kind: 'linear', T: 1000 });
const cosine = makeSchedule({ kind: 'cosine', T: 1000 });

describe('normalKl', () => {
  it('is zero for equal Gaussians and matches the closed form', () => {
    expect(normalKl(0.3, -1, 0.3, -1)).toBe(0);
    // KL(N(1, 4) ‖ N(0, 1)) = ½(4 + 1 − 1 − ln 4) = 2 − ln 2
    expect(normalKl(1, Math.log(4), 0, 0)).toBeCloseTo(2 - Math.LN2, 12);
    // KL(N(0, 1) ‖ N(2, 0.25)) = ½(ln 0.25⁻¹·… ) by hand: ½(−1 + ln(0.25) − 0 + 4 + 16) = 9.5 + ½ln 0.25
    expect(normalKl(0, 0, 2, Math.log(0.25))).toBeCloseTo(9.5 + 0.5 * Math.log(0.25), 12);
  });

  it('matches a Monte-Carlo estimate of E_q[log q − log p]', () => {
    const [m1, lv1, m2, lv2] = [0.4, Math.log(0.5), -0.2, Math.log(1.7)];
    const logN = (x: number, m: number, lv: number) =>
      -0.5 * (Math.log(2 * Math.PI) + lv + ((x - m) * (x - m)) / Math.exp(lv));
    const z = gaussians(7);
    const n = 200_000;
    let s = 0;
    for (let k = 0; k < n; k++) {
      const x = m1 + Math.exp(lv1 / 2) * z();
      s += logN(x, m1, lv1) - logN(x, m2, lv2);
    }
    // The estimator's std here is about 0.6/√n ≈ 0.0013: 4 standard errors.
    expect(Math.abs(s / n - normalKl(m1, lv1, m2, lv2))).toBeLessThan(0.006);
  });
});

describe('the discretised Gaussian decoder (Ho et al. 2020, eq. 13)', () => {
  const grid = Array.from({ length: 256 }, (_, k) => (2 * k) / 255 - 1);

  it('gives probabilities over the 256 bins that sum to 1', () => {
    for (const [mean, logScale] of [
      [0, Math.log(0.01)],
      [0.5, Math.log(0.3)],
      [-0.98, Math.log(0.05)],
      [1.3, 0],
    ]) {
      const total = grid.reduce(
        (s, x) => s + Math.exp(discretizedGaussianLogLikelihood(x, mean, logScale)),
        0,
      );
      expect(total).toBeCloseTo(1, 6);
    }
  });

  it('equals the Gaussian mass over the pixel bin', () => {
    const x = grid[140];
    const [mean, s] = [0.05, 0.2];
    const mass =
      approxStandardNormalCdf((x + 1 / 255 - mean) / s) -
      approxStandardNormalCdf((x - 1 / 255 - mean) / s);
    expect(discretizedGaussianLogLikelihood(x, mean, Math.log(s))).toBeCloseTo(Math.log(mass), 12);
    // and the tanh approximation is close to the exact Φ
    for (const v of [-3, -1, -0.2, 0, 0.5, 2])
      expect(Math.abs(approxStandardNormalCdf(v) - exactCdf(v))).toBeLessThan(3e-4);
  });
});

describe('L_T', () => {
  it('is ≈ 0 for T = 1000 (linear: < 1e-4 bits/dim for any image)', () => {
    const x0 = Array.from({ length: 784 }, (_, k) => (k % 2 ? 1 : -1));
    expect(bitsPerDim(priorKl(linear, x0), 784)).toBeLessThan(1e-4);
    expect(bitsPerDim(priorKl(cosine, x0), 784)).toBeLessThan(1e-6);
    expect(priorKl(linear, x0)).toBeGreaterThan(0);
  });
});

describe('the KL terms L_{t−1}', () => {
  const D = 64;
  const z = gaussians(3);
  const x0 = Array.from({ length: D }, () => Math.max(-1, Math.min(1, 0.5 * z())));

  for (const [name, schedule] of [
    ['linear', linear],
    ['cosine', cosine],
  ] as const) {
    for (const variance of ['beta', 'betaTilde'] as const) {
      it(`from ‖ε − ε_θ‖² equal the per-pixel Gaussian KL (${name}, σ² = ${variance})`, () => {
        for (const i of [1, 2, 10, 250, 500, 998, 999]) {
          const eps = Array.from({ length: D }, () => z());
          const epsPred = eps.map((e) => e + 0.3 * z());
          const xt = x0.map(
            (x, k) => schedule.sqrtAlphaBars[i] * x + schedule.sqrtOneMinusAlphaBars[i] * eps[k],
          );
          const se = eps.reduce((s, e, k) => s + (e - epsPred[k]) ** 2, 0);
          const fast = klTermFromSquaredError(schedule, i, variance, se, D);
          const ref = klTermPerPixel(
            schedule,
            i,
            x0,
            xt,
            epsPred,
            modelLogVariance(schedule, i, variance),
          );
          expect(Math.abs(fast - ref)).toBeLessThan(1e-9 * Math.max(1, Math.abs(ref)));
          expect(fast).toBeGreaterThan(0);
        }
      });
    }
  }

  it('vanish for σ² = β̃ and the true ε, and not for σ² = β', () => {
    expect(klTermFromSquaredError(linear, 300, 'betaTilde', 0, 784)).toBeCloseTo(0, 12);
    expect(klTermFromSquaredError(linear, 300, 'beta', 0, 784)).toBeGreaterThan(0);
  });
});

describe('vlbWeight (Ho et al. 2020, eq. 12)', () => {
  it('equals β²/(2σ²α(1 − ᾱ)) computed by hand for the linear schedule', () => {
    const beta = (i: number) => 1e-4 + (i * (0.02 - 1e-4)) / 999;
    let alphaBar = 1;
    const abs: number[] = [];
    for (let i = 0; i < 1000; i++) abs.push((alphaBar *= 1 - beta(i)));
    for (const i of [1, 100, 500, 999]) {
      const b = beta(i);
      const wBeta = (b * b) / (2 * b * (1 - b) * (1 - abs[i]));
      const betaTilde = (b * (1 - abs[i - 1])) / (1 - abs[i]);
      const wTilde = (b * b) / (2 * betaTilde * (1 - b) * (1 - abs[i]));
      expect(vlbWeight(linear, i, 'beta')).toBeCloseTo(wBeta, 10);
      expect(vlbWeight(linear, i, 'betaTilde') / wTilde).toBeCloseTo(1, 10);
    }
    // L_simple's weight 1 is far from the ELBO's: here the ELBO weights the second step ~59
    // times more than the last.
    const ratio = vlbWeight(linear, 1, 'betaTilde') / vlbWeight(linear, 999, 'betaTilde');
    expect(ratio).toBeGreaterThan(50);
    expect(ratio).toBeLessThan(70);
  });
});

describe('learnedLogVariance (Nichol & Dhariwal 2021, eq. 15)', () => {
  it('stays between log β̃ and log β for v in [0, 1]', () => {
    for (const i of [1, 10, 500, 999]) {
      const lo = linear.posteriorLogVarianceClipped[i];
      const hi = Math.log(linear.betas[i]);
      expect(learnedLogVariance(linear, i, 0)).toBeCloseTo(lo, 12);
      expect(learnedLogVariance(linear, i, 1)).toBeCloseTo(hi, 12);
      for (const v of [0.1, 0.5, 0.9]) {
        const lv = learnedLogVariance(linear, i, v);
        expect(lv).toBeGreaterThanOrEqual(lo);
        expect(lv).toBeLessThanOrEqual(hi);
      }
    }
  });
});

describe('the whole bound on data that is one Gaussian', () => {
  // x_0 ~ N(μ, s²) per dimension, quantised to the 256 levels. Then q(x_t) = N(√ᾱ μ, ᾱs² + 1 − ᾱ)
  // and the ideal ε-prediction is E[ε | x_t] = √(1−ᾱ)(x_t − √ᾱ μ)/(ᾱs² + 1 − ᾱ); the true reverse
  // step p(x_{t−1} | x_t) is Gaussian with mean μ̃(E[x_0 | x_t], x_t) and variance
  // β̃_t + coef1²·Var[x_0 | x_t], Var[x_0 | x_t] = s²(1 − ᾱ)/(ᾱs² + 1 − ᾱ).
  const [mu, s] = [0.1, 0.3];
  const schedule = linear;
  const n = 4000;

  /** Bits/dim of the bound with the ideal mean and the given reverse log-variance per index. */
  function boundBits(logVar: (i: number) => number, seed: number) {
    const z = gaussians(seed);
    const x0 = Array.from({ length: n }, () => {
      const v = Math.max(-1, Math.min(1, mu + s * z()));
      return Math.round((v + 1) * 127.5) / 127.5 - 1;
    });
    let nll = 0;
    for (const x of x0) {
      const hi = x > 0.999 ? 1 : exactCdf((x + 1 / 255 - mu) / s);
      const lo = x < -0.999 ? 0 : exactCdf((x - 1 / 255 - mu) / s);
      nll -= Math.log(hi - lo);
    }
    let bound = priorKl(schedule, x0);
    for (let i = 0; i < schedule.T; i++) {
      const ab = schedule.alphaBars[i];
      const xt: number[] = [];
      const epsPred: number[] = [];
      for (const x of x0) {
        const v = schedule.sqrtAlphaBars[i] * x + schedule.sqrtOneMinusAlphaBars[i] * z();
        xt.push(v);
        epsPred.push((Math.sqrt(1 - ab) * (v - Math.sqrt(ab) * mu)) / (ab * s * s + 1 - ab));
      }
      if (i === 0) {
        const x0Pred = xt.map(
          (v, k) =>
            schedule.sqrtRecipAlphaBars[0] * v - schedule.sqrtRecipM1AlphaBars[0] * epsPred[k],
        );
        bound += decoderNll(schedule, x0, x0Pred, logVar(0));
      } else {
        bound += klTermPerPixel(schedule, i, x0, xt, epsPred, logVar(i));
      }
    }
    return { nll: nll / n / Math.LN2, bound: bound / n / Math.LN2 };
  }

  const posteriorVarX0 = (i: number) => {
    const ab = schedule.alphaBars[i];
    return (s * s * (1 - ab)) / (ab * s * s + 1 - ab);
  };
  const trueReverse = (i: number) =>
    Math.log(
      schedule.posteriorVariance[i] + schedule.posteriorMeanCoef1[i] ** 2 * posteriorVarX0(i),
    );

  // Measured with n = 2000 (two seeds): NLL 7.30 / 7.27 bits/dim; the bound with the true reverse
  // process 7.28 / 7.24 (the model treats the quantised data as continuous), with σ² = β 7.40 /
  // 7.34, with σ² = β̃ 8.03 / 7.96. The same x_0 and noise for the three (common random numbers).
  it('is close to the true NLL with the true reverse process, and above it with σ² = β or β̃', () => {
    const exact = boundBits(trueReverse, 12);
    const beta = boundBits((i) => modelLogVariance(schedule, i, 'beta'), 12);
    const tilde = boundBits((i) => modelLogVariance(schedule, i, 'betaTilde'), 12);
    expect(exact.nll).toBeGreaterThan(6.5); // ~7.3 bits: the entropy of the quantised Gaussian
    // One x_t per (image, t): the bound's Monte-Carlo error here is about ±0.04 bits/dim.
    expect(Math.abs(exact.bound - exact.nll)).toBeLessThan(0.08);
    expect(beta.bound).toBeGreaterThan(exact.bound + 0.03);
    expect(tilde.bound).toBeGreaterThan(beta.bound + 0.3);
    expect(tilde.bound - tilde.nll).toBeLessThan(1);
  });
});
