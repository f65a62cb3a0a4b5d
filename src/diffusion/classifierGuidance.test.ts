// Classifier guidance against closed forms: on 1-D data from two Gaussians (class 0 at −m, class 1
// at +m, variance v), x_t | y ~ N(√ᾱ·μ_y, ᾱv + 1 − ᾱ), so the exact ε of p(x_t), of p(x_t | y) and
// the exact ∇ log p(y | x_t) are known. With exact models Alg. 2 at scale 1 must give the
// conditional ε, and at scale s the classifier-free ε̃ = ε_u + s(ε_c − ε_u) (Bayes:
// ∇ log p(y | x) = ∇ log p(x | y) − ∇ log p(x)).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  classifierGuidedEps,
  classifierGuidedMean,
  epsShiftCoefficient,
  meanShiftCoefficient,
} from './classifierGuidance';
import { guidedEps } from './guidance';
import { makeSchedule } from './schedule';
import { expectNoLeak, expectTensorClose, useCpu } from './test-utils/tf';

beforeAll(useCpu);

const schedule = makeSchedule({ kind: 'linear', T: 1000 });
const m = 1.5;
const v = 0.2;

/** Exact quantities of the two-Gaussian mixture at timestep t, for points xs and class y. */
function exact(t: number, xs: number[], y: 0 | 1) {
  const ab = schedule.alphaBars[t];
  const mu = [-Math.sqrt(ab) * m, Math.sqrt(ab) * m];
  const varT = ab * v + 1 - ab;
  const sd = Math.sqrt(1 - ab);
  const post = (x: number) => {
    const l = mu.map((u) => Math.exp(-((x - u) ** 2) / (2 * varT)));
    return l.map((li) => li / (l[0] + l[1]));
  };
  const scoreCond = (x: number) => -(x - mu[y]) / varT;
  const scoreUncond = (x: number) => {
    const w = post(x);
    return -(w[0] * (x - mu[0]) + w[1] * (x - mu[1])) / varT;
  };
  return {
    alphaBar: ab,
    epsCond: xs.map((x) => -sd * scoreCond(x)),
    epsUncond: xs.map((x) => -sd * scoreUncond(x)),
    gradLogProb: xs.map((x) => scoreCond(x) - scoreUncond(x)),
  };
}

const xs = [-2.5, -0.7, 0, 0.3, 1.2, 3];

describe('classifierGuidedEps (Dhariwal & Nichol 2021, Alg. 2)', () => {
  for (const t of [10, 500, 990]) {
    it(`scale 1 with an exact classifier turns ε(x_t) into ε(x_t | y) (t = ${t})`, async () => {
      await expectNoLeak(async () => {
        const e = exact(t, xs, 1);
        const eps = tf.tensor1d(e.epsUncond);
        const g = tf.tensor1d(e.gradLogProb);
        const guided = classifierGuidedEps(eps, g, e.alphaBar, 1);
        await expectTensorClose(guided, e.epsCond, 1e-5);
        tf.dispose([eps, g, guided]);
      });
    });
  }

  it('scale s equals classifier-free guidance with scale s when both models are exact', async () => {
    await expectNoLeak(async () => {
      const e = exact(300, xs, 0);
      const eu = tf.tensor1d(e.epsUncond);
      const ec = tf.tensor1d(e.epsCond);
      const g = tf.tensor1d(e.gradLogProb);
      for (const s of [0, 2, 4.5]) {
        const cg = classifierGuidedEps(eu, g, e.alphaBar, s);
        const cfg = guidedEps(eu, ec, s);
        await expectTensorClose(cg, await cfg.data(), 1e-5);
        tf.dispose([cg, cfg]);
      }
      tf.dispose([eu, ec, g]);
    });
  });

  it('moves ε against g by √(1−ᾱ_t)·s, elementwise', async () => {
    const eps = tf.tensor2d([
      [0.1, -0.2],
      [0.3, 0.4],
    ]);
    const g = tf.tensor2d([
      [1, 2],
      [-3, 0],
    ]);
    const ab = 0.64; // √(1 − ᾱ) = 0.6
    const out = classifierGuidedEps(eps, g, ab, 2);
    await expectTensorClose(out, [0.1 - 1.2, -0.2 - 2.4, 0.3 + 3.6, 0.4]);
    expect(epsShiftCoefficient(ab, 2)).toBeCloseTo(-1.2, 12);
    tf.dispose([eps, g, out]);
  });

  it('validates', () => {
    const a = tf.zeros([2]);
    const b = tf.zeros([3]);
    expect(() => classifierGuidedEps(a, b, 0.5, 1)).toThrow(/shapes differ/);
    expect(() => classifierGuidedEps(a, a, 0.5, Number.NaN)).toThrow(/finite/);
    expect(() => classifierGuidedEps(a, a, 0, 1)).toThrow(/alphaBar/);
    tf.dispose([a, b]);
  });
});

describe('classifierGuidedMean (Dhariwal & Nichol 2021, Alg. 1)', () => {
  it('μ + s·σ²·g, elementwise', async () => {
    const mean = tf.tensor1d([0.5, -1, 2]);
    const g = tf.tensor1d([1, -2, 0.25]);
    const out = classifierGuidedMean(mean, g, 0.01, 3);
    await expectTensorClose(out, [0.53, -1.06, 2.0075]);
    expect(meanShiftCoefficient(0.01, 3)).toBeCloseTo(0.03, 15);
    tf.dispose([mean, g, out]);
  });

  it('with Σ = β_t it is the first-order form of the exact conditional mean (Ho et al. eq. 11)', async () => {
    // μ(ε) = (x − β_t/√(1−ᾱ_t)·ε)/√α_t, so the exact μ(ε_c) − μ(ε_u) = (β_t/√α_t)·g; Alg. 1 shifts
    // by β_t·g: the two agree up to the factor √α_t = √(1−β_t) ≈ 1 (Dhariwal & Nichol, eq. 10).
    for (const t of [50, 500, 950]) {
      const e = exact(t, xs, 1);
      const beta = schedule.betas[t];
      const alpha = 1 - beta;
      const sd = Math.sqrt(1 - e.alphaBar);
      const mu = (x: number, eps: number) => (x - (beta / sd) * eps) / Math.sqrt(alpha);
      const muU = xs.map((x, i) => mu(x, e.epsUncond[i]));
      const muC = xs.map((x, i) => mu(x, e.epsCond[i]));
      const meanU = tf.tensor1d(muU);
      const g = tf.tensor1d(e.gradLogProb);
      const shifted = await classifierGuidedMean(meanU, g, beta, 1).data();
      xs.forEach((_, i) => {
        const exactShift = muC[i] - muU[i];
        expect(shifted[i] - muU[i]).toBeCloseTo(exactShift * Math.sqrt(alpha), 5);
        expect(Math.abs(shifted[i] - muC[i])).toBeLessThanOrEqual(
          Math.abs(exactShift) * (1 - Math.sqrt(alpha)) + 1e-6,
        );
      });
      tf.dispose([meanU, g]);
    }
  });

  it('validates', () => {
    const a = tf.zeros([2]);
    expect(() => classifierGuidedMean(a, a, -1, 1)).toThrow(/variance/);
    expect(() => classifierGuidedMean(a, a, 0.1, Infinity)).toThrow(/finite/);
    tf.dispose(a);
  });
});
