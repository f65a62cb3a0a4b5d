import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { qSample } from './forward';
import { posteriorMean, predictX0FromEps } from './posterior';
import { makeSchedule } from './schedule';
import { expectNoLeak, expectTensorClose, useCpu, values } from './test-utils/tf';

const s = makeSchedule({ kind: 'linear', T: 1000 });
const shape: [number, number, number, number] = [2, 4, 4, 1];

beforeAll(useCpu);

describe('predictX0FromEps (Ho eq. 4 solved for x0)', () => {
  it.each([0, 100, 500, 999])('inverts qSample at t = %i', async (t) => {
    await expectNoLeak(async () => {
      const x0 = tf.randomUniform(shape, -1, 1, 'float32', 3);
      const eps = tf.randomNormal(shape, 0, 1, 'float32', 4);
      const xt = qSample(x0, t, eps, s);
      const back = predictX0FromEps(xt, t, eps, s);
      // float32 rounding of x_t is amplified by 1/√ᾱ_t (≈157 at t = 999).
      await expectTensorClose(back, x0, 2e-6 * s.sqrtRecipAlphaBars[t] * 4);
      tf.dispose([x0, eps, xt, back]);
    });
  });

  it('per-example t and clipping to [−1, 1]', async () => {
    await expectNoLeak(async () => {
      const xt = tf.tensor2d([3, -3, 0.1, 0.2], [2, 2]);
      const eps = tf.tensor2d([0, 0, 0.5, -0.5], [2, 2]);
      const t = tf.tensor1d([0, 700], 'int32');
      const raw = predictX0FromEps(xt, t, eps, s);
      const [r0, r1] = [s.sqrtRecipAlphaBars[0], s.sqrtRecipAlphaBars[700]];
      const m1 = s.sqrtRecipM1AlphaBars[700];
      const expected = [3 * r0, -3 * r0, 0.1 * r1 - 0.5 * m1, 0.2 * r1 + 0.5 * m1];
      await expectTensorClose(raw, expected, 1e-5);
      const clipped = predictX0FromEps(xt, t, eps, s, true);
      await expectTensorClose(
        clipped,
        expected.map((v) => Math.min(1, Math.max(-1, v))),
        1e-5,
      );
      tf.dispose([xt, eps, t, raw, clipped]);
    });
  });
});

describe('posteriorMean (Ho eq. 7)', () => {
  it('coef1·x0 + coef2·xt', async () => {
    await expectNoLeak(async () => {
      const x0 = tf.tensor1d([1, -0.5]);
      const xt = tf.tensor1d([0.3, 2]);
      const mu = posteriorMean(x0, xt, 300, s);
      const [c1, c2] = [s.posteriorMeanCoef1[300], s.posteriorMeanCoef2[300]];
      await expectTensorClose(mu, [c1 + 0.3 * c2, -0.5 * c1 + 2 * c2]);
      tf.dispose([x0, xt, mu]);
    });
  });

  it('with x̂0 from ε equals Ho eq. 11: (x_t − β_t/√(1−ᾱ_t) ε)/√α_t', async () => {
    await expectNoLeak(async () => {
      for (const t of [1, 10, 500, 999]) {
        const xt = tf.randomNormal(shape, 0, 1, 'float32', 10 + t);
        const eps = tf.randomNormal(shape, 0, 1, 'float32', 20 + t);
        const x0 = predictX0FromEps(xt, t, eps, s);
        const mu = posteriorMean(x0, xt, t, s);
        const b = s.betas[t];
        const eq11 = tf.tidy(() =>
          tf.div(tf.sub(xt, tf.mul(eps, b / s.sqrtOneMinusAlphaBars[t])), Math.sqrt(s.alphas[t])),
        );
        await expectTensorClose(mu, eq11, 2e-5);
        tf.dispose([xt, eps, x0, mu, eq11]);
      }
    });
  });

  it('rejects mismatched shapes', () => {
    const a = tf.zeros([2, 3]);
    const b = tf.zeros([2, 1]);
    expect(() => posteriorMean(a, b, 0, s)).toThrow(/shapes differ/);
    expect(() => predictX0FromEps(a, 0, b, s)).toThrow(/shapes differ/);
    tf.dispose([a, b]);
  });

  it('t = 0 gives back x0 (coef1 = 1, coef2 = 0)', async () => {
    const x0 = tf.tensor1d([0.25, -0.75]);
    const xt = tf.tensor1d([5, 5]);
    const mu = posteriorMean(x0, xt, 0, s);
    expect(Array.from(await values(mu))).toEqual([0.25, -0.75]);
    tf.dispose([x0, xt, mu]);
  });
});
