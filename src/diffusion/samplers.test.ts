import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { qSample } from './forward';
import { ddimTimesteps, respacedSchedule } from './respace';
import { ddimCoefficients, ddimSigma, ddimStep, ddpmSigma, ddpmStep } from './samplers';
import { makeSchedule } from './schedule';
import { expectClose } from './test-utils/reference';
import { expectNoLeak, expectTensorClose, useCpu } from './test-utils/tf';

const s = makeSchedule({ kind: 'linear', T: 1000 });
const cos = makeSchedule({ kind: 'cosine', T: 1000 });
const shape: [number, number, number, number] = [2, 4, 4, 1];

beforeAll(useCpu);

function randn(seed: number): tf.Tensor4D {
  return tf.randomNormal(shape, 0, 1, 'float32', seed);
}

/**
 * The linear schedule rebuilt here in float64 from its definition (Ho et al. 2020, Sec. 4:
 * β from 1e-4 to 0.02 over T = 1000), independent of schedule.ts, posterior.ts and forward.ts.
 */
const T = 1000;
const betaF64 = (t: number) => 1e-4 + ((0.02 - 1e-4) * t) / (T - 1);
function alphaBarF64(t: number): number {
  let ab = 1;
  for (let i = 0; i <= t; i++) ab *= 1 - betaF64(i);
  return ab;
}
const XT = [2.5, -0.1, 0.3, -1.7];
const EPS = [-1, 0.2, 0.1, 0.9];
const Z = [0.5, -1.2, 0.05, 0.7];

describe('ddpmStep (Ho Alg. 2), against float64 values computed here', () => {
  it('x_{t−1} = (x_t − β_t/√(1−ᾱ_t) ε)/√α_t + σ_t z (eq. 11) for σ² = β_t and β̃_t', async () => {
    await expectNoLeak(async () => {
      const [xt, eps, z] = [tf.tensor1d(XT), tf.tensor1d(EPS), tf.tensor1d(Z)];
      const t = 400;
      const [b, ab, abPrev] = [betaF64(t), alphaBarF64(t), alphaBarF64(t - 1)];
      for (const variance of ['beta', 'betaTilde'] as const) {
        const sigma = Math.sqrt(variance === 'beta' ? b : ((1 - abPrev) / (1 - ab)) * b);
        expectClose(ddpmSigma(s, t, variance), sigma, `σ ${variance}`, 1e-9);
        const { xPrev, x0Pred, epsUsed } = ddpmStep({
          xt,
          t,
          eps,
          schedule: s,
          noise: z,
          variance,
        });
        const mean = XT.map((x, i) => (x - (b / Math.sqrt(1 - ab)) * EPS[i]) / Math.sqrt(1 - b));
        await expectTensorClose(
          xPrev,
          mean.map((m, i) => m + sigma * Z[i]),
          1e-5,
        );
        // x̂0 = (x_t − √(1−ᾱ_t) ε)/√ᾱ_t (eq. 15); unclipped, the ε used is the ε given.
        await expectTensorClose(
          x0Pred,
          XT.map((x, i) => (x - Math.sqrt(1 - ab) * EPS[i]) / Math.sqrt(ab)),
          1e-4,
        );
        await expectTensorClose(epsUsed, EPS, 1e-7); // float32 copies of EPS
        tf.dispose([xPrev, x0Pred, epsUsed]);
      }
      tf.dispose([xt, eps, z]);
    });
  });

  it('clipX0: the mean is eq. 7 with the clipped x̂0, and eq. 11 with the re-derived ε', async () => {
    await expectNoLeak(async () => {
      const [xt, eps, z] = [tf.tensor1d(XT), tf.tensor1d(EPS), tf.tensor1d(Z)];
      const t = 30;
      const [b, ab, abPrev] = [betaF64(t), alphaBarF64(t), alphaBarF64(t - 1)];
      const x0 = XT.map((x, i) => (x - Math.sqrt(1 - ab) * EPS[i]) / Math.sqrt(ab));
      const x0c = x0.map((v) => Math.min(1, Math.max(-1, v)));
      expect(x0c.filter((v, i) => v !== x0[i]).length).toBe(2); // the case clips something
      const c1 = (Math.sqrt(abPrev) * b) / (1 - ab);
      const c2 = (Math.sqrt(1 - b) * (1 - abPrev)) / (1 - ab);
      const mean7 = x0c.map((x0i, i) => c1 * x0i + c2 * XT[i]);
      const epsC = XT.map((x, i) => (x - Math.sqrt(ab) * x0c[i]) / Math.sqrt(1 - ab));
      const mean11 = XT.map((x, i) => (x - (b / Math.sqrt(1 - ab)) * epsC[i]) / Math.sqrt(1 - b));
      mean7.forEach((m, i) => expectClose(m, mean11[i], `eq. 7 = eq. 11 at ${i}`, 1e-9));
      const sigma = Math.sqrt(b);
      const r = ddpmStep({ xt, t, eps, schedule: s, noise: z, variance: 'beta', clipX0: true });
      await expectTensorClose(r.x0Pred, x0c, 1e-6);
      await expectTensorClose(r.epsUsed, epsC, 1e-4);
      await expectTensorClose(
        r.xPrev,
        mean7.map((m, i) => m + sigma * Z[i]),
        1e-5,
      );
      tf.dispose([xt, eps, z, r.xPrev, r.x0Pred, r.epsUsed]);
    });
  });

  it('adds no noise at t = 0 (noise may be omitted): x_{−1} is x̂0, clipped on request', async () => {
    await expectNoLeak(async () => {
      const [xt, eps] = [tf.tensor1d(XT), tf.tensor1d(EPS)];
      const ab = alphaBarF64(0);
      const x0 = XT.map((x, i) => (x - Math.sqrt(1 - ab) * EPS[i]) / Math.sqrt(ab));
      const plain = ddpmStep({ xt, t: 0, eps, schedule: s, variance: 'beta' });
      await expectTensorClose(plain.xPrev, x0, 1e-5);
      const clipped = ddpmStep({ xt, t: 0, eps, schedule: s, variance: 'beta', clipX0: true });
      await expectTensorClose(
        clipped.xPrev,
        x0.map((v) => Math.min(1, Math.max(-1, v))),
        1e-5,
      );
      tf.dispose([xt, eps, plain.xPrev, plain.x0Pred, plain.epsUsed]);
      tf.dispose([clipped.xPrev, clipped.x0Pred, clipped.epsUsed]);
    });
  });

  it('validates', () => {
    const x = randn(6);
    const small = tf.zeros([1, 4, 4, 1]);
    expect(() => ddpmStep({ xt: x, t: 5, eps: x, schedule: s, variance: 'beta' })).toThrow(/noise/);
    expect(() =>
      ddpmStep({ xt: x, t: 5, eps: x, schedule: s, variance: 'beta', noise: small as tf.Tensor4D }),
    ).toThrow(/shapes differ/);
    expect(() => ddpmStep({ xt: x, t: 1000, eps: x, schedule: s, variance: 'beta' })).toThrow(
      RangeError,
    );
    expect(() => ddpmSigma(s, -1, 'beta')).toThrow(RangeError);
    tf.dispose([x, small]);
  });
});

describe('ddimSigma (DDIM eq. 16)', () => {
  it('η = 1 on consecutive steps equals β̃_t (Song et al. 2021, Sec. 4.1)', () => {
    for (const sched of [s, cos]) {
      for (let t = 1; t < 1000; t++) {
        const sigma = ddimSigma(sched.alphaBars[t], sched.alphaBarsPrev[t], 1);
        expectClose(sigma * sigma, sched.posteriorVariance[t], `${sched.kind} t=${t}`);
      }
    }
  });

  it('η scales σ linearly; η = 0 or ᾱ_prev = 1 gives 0', () => {
    const a = s.alphaBars[600];
    const p = s.alphaBars[580];
    expectClose(ddimSigma(a, p, 0.5), 0.5 * ddimSigma(a, p, 1), 'η = 0.5');
    expect(ddimSigma(a, p, 0)).toBe(0);
    expect(ddimSigma(a, 1, 1)).toBe(0);
    const c = ddimCoefficients(a, p, 1);
    expectClose(c.x0Coef ** 2 + c.epsCoef ** 2 + c.sigma ** 2, 1, 'variance budget');
  });

  it('validates', () => {
    expect(() => ddimSigma(0, 0.5, 1)).toThrow(RangeError);
    expect(() => ddimSigma(0.5, 0, 1)).toThrow(RangeError);
    expect(() => ddimSigma(0.5, 0.6, -1)).toThrow(/eta/);
    expect(() => ddimSigma(0.5, 0.6, Number.NaN)).toThrow(/eta/);
    expect(() => ddimCoefficients(0.01, 0.9, 5)).toThrow(/exceed/);
  });
});

describe('ddimStep (DDIM eq. 12)', () => {
  it('η = 1 on consecutive steps equals the DDPM β̃ step (same z)', async () => {
    await expectNoLeak(async () => {
      const [xt, eps, z] = [randn(7), randn(8), randn(9)];
      for (const t of [1, 250, 999]) {
        const args = {
          xt,
          eps,
          alphaBar: s.alphaBars[t],
          alphaBarPrev: s.alphaBarsPrev[t],
          eta: 1,
        };
        for (const noise of [tf.zerosLike(z), z]) {
          const ddim = ddimStep({ ...args, noise });
          const ddpm = ddpmStep({ xt, t, eps, schedule: s, noise, variance: 'betaTilde' });
          await expectTensorClose(ddim.xPrev, ddpm.xPrev, 2e-5);
          await expectTensorClose(ddim.x0Pred, ddpm.x0Pred, 2e-5 * s.sqrtRecipAlphaBars[t]);
          tf.dispose([
            ddim.xPrev,
            ddim.x0Pred,
            ddim.epsUsed,
            ddpm.xPrev,
            ddpm.x0Pred,
            ddpm.epsUsed,
          ]);
          if (noise !== z) noise.dispose();
        }
      }
      tf.dispose([xt, eps, z]);
    });
  });

  it('η = 0 is deterministic and, with the true ε, lands on qSample(x0, t_prev, ε)', async () => {
    await expectNoLeak(async () => {
      const x0 = tf.randomUniform(shape, -1, 1, 'float32', 10);
      const eps = randn(11);
      const [t, tPrev] = [700, 300];
      const xt = qSample(x0, t, eps, cos);
      const args = {
        xt,
        eps,
        alphaBar: cos.alphaBars[t],
        alphaBarPrev: cos.alphaBars[tPrev],
        eta: 0,
      };
      const a = ddimStep(args);
      const z = randn(12);
      const b = ddimStep({ ...args, noise: z });
      const target = qSample(x0, tPrev, eps, cos);
      await expectTensorClose(a.xPrev, b.xPrev, 0);
      await expectTensorClose(a.xPrev, target, 1e-5);
      await expectTensorClose(a.x0Pred, x0, 1e-5);
      // Last step: ᾱ_prev = 1 returns x̂0.
      const last = ddimStep({ ...args, alphaBarPrev: 1, eta: 1 });
      await expectTensorClose(last.xPrev, last.x0Pred, 1e-6);
      tf.dispose([x0, eps, xt, a.xPrev, a.x0Pred, b.xPrev, b.x0Pred, target, last.xPrev]);
      tf.dispose([last.x0Pred, z, a.epsUsed, b.epsUsed, last.epsUsed]);
    });
  });

  it('clipX0 clamps x̂0 and re-derives ε from it', async () => {
    await expectNoLeak(async () => {
      const xt = tf.tensor1d([2.5, -0.1, 0.3]);
      const eps = tf.tensor1d([-1, 0.2, 0.1]);
      const [ab, abp] = [s.alphaBars[100], s.alphaBars[50]];
      const { xPrev, x0Pred, epsUsed } = ddimStep({
        xt,
        eps,
        alphaBar: ab,
        alphaBarPrev: abp,
        eta: 0,
        clipX0: true,
      });
      const x0 = [2.5, -0.1, 0.3].map(
        (x, i) => (x - Math.sqrt(1 - ab) * [-1, 0.2, 0.1][i]) / Math.sqrt(ab),
      );
      const x0c = x0.map((v) => Math.min(1, Math.max(-1, v)));
      const epsC = [2.5, -0.1, 0.3].map((x, i) => (x - Math.sqrt(ab) * x0c[i]) / Math.sqrt(1 - ab));
      await expectTensorClose(x0Pred, x0c, 1e-5);
      await expectTensorClose(epsUsed, epsC, 1e-4);
      await expectTensorClose(
        xPrev,
        x0c.map((v, i) => Math.sqrt(abp) * v + Math.sqrt(1 - abp) * epsC[i]),
        1e-5,
      );
      tf.dispose([xt, eps, xPrev, x0Pred, epsUsed]);
    });
  });

  it('a 50-step η = 0 trajectory with the true ε recovers x0 (respaced schedule)', async () => {
    await expectNoLeak(async () => {
      // Linear, not cosine: the first step is now t = 999, where cosine's √ᾱ ≈ 5e-5 would
      // amplify float32 rounding in x̂0 = (x_t − √(1−ᾱ) ε)/√ᾱ beyond this tolerance.
      const r = respacedSchedule(s, ddimTimesteps(1000, 50));
      const x0 = tf.randomUniform(shape, -1, 1, 'float32', 13);
      const eps = randn(14);
      let x = qSample(x0, r.T - 1, eps, r);
      for (let i = r.T - 1; i >= 0; i--) {
        const step = ddimStep({
          xt: x,
          eps,
          alphaBar: r.alphaBars[i],
          alphaBarPrev: r.alphaBarsPrev[i],
          eta: 0,
        });
        tf.dispose([x, step.x0Pred, step.epsUsed]);
        x = step.xPrev;
      }
      await expectTensorClose(x, x0, 1e-4);
      tf.dispose([x, x0, eps]);
    });
  });

  it('validates', () => {
    const x = randn(15);
    const args = { xt: x, eps: x, alphaBar: 0.5, alphaBarPrev: 0.6 };
    expect(() => ddimStep({ ...args, eta: 1 })).toThrow(/noise/);
    expect(() =>
      ddimStep({ ...args, eta: 0, eps: tf.zeros([1]) as unknown as tf.Tensor4D }),
    ).toThrow(/shapes differ/);
    x.dispose();
  });
});
