import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { qSample, qStep } from './forward';
import { makeSchedule } from './schedule';
import { expectNoLeak, expectTensorClose, useCpu, values } from './test-utils/tf';

const linear = makeSchedule({ kind: 'linear', T: 1000 });
const cosine = makeSchedule({ kind: 'cosine', T: 1000 });

beforeAll(useCpu);

describe('qSample (Ho eq. 4)', () => {
  it('scalar t: √ᾱ x0 + √(1−ᾱ) ε', async () => {
    await expectNoLeak(async () => {
      const x0 = tf.tensor4d([0.5, -1, 0.25, 1], [1, 2, 2, 1]);
      const eps = tf.tensor4d([1, 0.5, -2, 0], [1, 2, 2, 1]);
      const xt = qSample(x0, 499, eps, linear);
      const a = linear.sqrtAlphaBars[499];
      const b = linear.sqrtOneMinusAlphaBars[499];
      expect(xt.shape).toEqual([1, 2, 2, 1]);
      await expectTensorClose(xt, [0.5 * a + b, -a + 0.5 * b, 0.25 * a - 2 * b, a]);
      tf.dispose([x0, eps, xt]);
    });
  });

  it('per-example t tensor gathers one coefficient per batch entry', async () => {
    await expectNoLeak(async () => {
      const ts = [0, 250, 999];
      const x0 = tf.randomUniform([3, 4, 4, 2], -1, 1, 'float32', 1);
      const eps = tf.randomNormal([3, 4, 4, 2], 0, 1, 'float32', 2);
      const t = tf.tensor1d(ts, 'int32');
      const xt = qSample(x0, t, eps, cosine);
      expect(xt.shape).toEqual([3, 4, 4, 2]);
      for (let i = 0; i < 3; i++) {
        const [x0i, epsi, xti] = [x0, eps, xt].map((v) => v.slice([i], [1]));
        const expected = qSample(x0i, ts[i], epsi, cosine);
        await expectTensorClose(xti, expected);
        tf.dispose([x0i, epsi, xti, expected]);
      }
      tf.dispose([x0, eps, t, xt]);
    });
  });

  it('works for other ranks (2-D batch)', async () => {
    await expectNoLeak(async () => {
      const x0 = tf.tensor2d([1, 2, 3, 4], [2, 2]);
      const eps = tf.zerosLike(x0);
      const t = tf.tensor1d([0, 999], 'int32');
      const xt = qSample(x0, t, eps, linear);
      const a0 = linear.sqrtAlphaBars[0];
      const a1 = linear.sqrtAlphaBars[999];
      await expectTensorClose(xt, [a0, 2 * a0, 3 * a1, 4 * a1]);
      tf.dispose([x0, eps, t, xt]);
    });
  });

  it('validates its inputs', () => {
    const x0 = tf.zeros([2, 2, 2, 1]);
    const bad = tf.zeros([2, 2, 2, 3]);
    const tFloat = tf.tensor1d([1, 2], 'float32');
    const tShort = tf.tensor1d([1], 'int32');
    expect(() => qSample(x0, 0, bad, linear)).toThrow(/shapes differ/);
    expect(() => qSample(x0, 1000, x0, linear)).toThrow(/\[0, 999\]/);
    expect(() => qSample(x0, -1, x0, linear)).toThrow(RangeError);
    expect(() => qSample(x0, 1.5, x0, linear)).toThrow(RangeError);
    expect(() => qSample(x0, tFloat as tf.Tensor1D, x0, linear)).toThrow(/int32/);
    expect(() => qSample(x0, tShort, x0, linear)).toThrow(/batch of 2/);
    tf.dispose([x0, bad, tFloat, tShort]);
  });
});

describe('qStep (Ho eq. 2)', () => {
  it('√(1−β) x + √β ε, scalar and per-example t', async () => {
    await expectNoLeak(async () => {
      const x = tf.tensor4d([0.5, -0.5], [2, 1, 1, 1]);
      const eps = tf.tensor4d([1, -1], [2, 1, 1, 1]);
      const y = qStep(x, 10, eps, linear);
      const a = Math.sqrt(1 - linear.betas[10]);
      const b = Math.sqrt(linear.betas[10]);
      await expectTensorClose(y, [0.5 * a + b, -0.5 * a - b]);
      const t = tf.tensor1d([10, 900], 'int32');
      const z = qStep(x, t, eps, linear);
      const a2 = Math.sqrt(1 - linear.betas[900]);
      const b2 = Math.sqrt(linear.betas[900]);
      await expectTensorClose(z, [0.5 * a + b, -0.5 * a2 - b2]);
      tf.dispose([x, eps, y, t, z]);
    });
  });

  it('chaining with zero noise multiplies by √ᾱ_t', async () => {
    await expectNoLeak(async () => {
      let x = tf.ones([1, 2, 2, 1]);
      const zero = tf.zerosLike(x);
      for (let i = 0; i < 50; i++) {
        const next = qStep(x, i, zero, cosine);
        x.dispose();
        x = next;
      }
      await expectTensorClose(x, new Array(4).fill(cosine.sqrtAlphaBars[49]), 1e-5);
      tf.dispose([x, zero]);
    });
  });
});

describe('t chain steps ≡ one closed-form jump, in distribution', () => {
  // 4096 pixels per sample; tolerance 5 standard errors of the mean and of the variance.
  const N = 4096;
  const X0 = 0.6;
  const cases = [
    { name: 'linear', s: linear, steps: 10 },
    { name: 'linear', s: linear, steps: 200 },
    { name: 'cosine', s: cosine, steps: 10 },
    { name: 'cosine', s: cosine, steps: 200 },
  ];

  async function moments(t: tf.Tensor): Promise<{ mean: number; variance: number }> {
    const v = await values(t);
    let sum = 0;
    for (const x of v) sum += x;
    const mean = sum / v.length;
    let ss = 0;
    for (const x of v) ss += (x - mean) ** 2;
    return { mean, variance: ss / (v.length - 1) };
  }

  it.each(cases)('$name, t = $steps', async ({ s, steps }) => {
    await expectNoLeak(async () => {
      const shape: [number, number, number, number] = [1, 64, 64, 1];
      const x0 = tf.fill(shape, X0);
      let x = x0.clone();
      for (let i = 0; i < steps; i++) {
        const next = tf.tidy(() =>
          qStep(x, i, tf.randomNormal(shape, 0, 1, 'float32', 1000 + i), s),
        );
        x.dispose();
        x = next;
      }
      const jumped = tf.tidy(() =>
        qSample(x0, steps - 1, tf.randomNormal(shape, 0, 1, 'float32', 7), s),
      );
      const ab = s.alphaBars[steps - 1];
      const mean = Math.sqrt(ab) * X0;
      const variance = 1 - ab;
      const seMean = Math.sqrt(variance / N);
      const seVar = variance * Math.sqrt(2 / (N - 1));
      for (const m of [await moments(x), await moments(jumped)]) {
        expect(Math.abs(m.mean - mean)).toBeLessThan(5 * seMean);
        expect(Math.abs(m.variance - variance)).toBeLessThan(5 * seVar);
      }
      tf.dispose([x0, x, jumped]);
    });
  });
});
