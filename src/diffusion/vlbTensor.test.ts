// The tensor L_t of a learned Σ_θ (vlbTensor.ts) against the float64 formulas of vlb.ts and the
// reference values (src/diffusion/test-utils/reference-values.json, from
// /work/shared/reference/values.json).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ddimTimesteps, respacedSchedule } from './respace';
import { makeSchedule, type Schedule } from './schedule';
import { loadReference } from './test-utils/reference';
import { expectNoLeak, useCpu, values } from './test-utils/tf';
import {
  decoderNll,
  discretizedGaussianLogLikelihood,
  klTermPerPixel,
  learnedLogVariance,
  normalKl,
} from './vlb';
import {
  discretizedGaussianLogLikelihoodTensor,
  learnedLogVarianceTensor,
  normalKlTensor,
  stopGradient,
  vlbTermsBpd,
} from './vlbTensor';

const linear = makeSchedule({ kind: 'linear', T: 1000 });

beforeAll(useCpu);

/** Deterministic numbers in [lo, hi) (LCG). */
function uniform(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0 || 1;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return lo + (hi - lo) * (s / 2 ** 32);
  });
}

async function logVarianceAt(schedule: Schedule, t: number, out: number): Promise<number> {
  const lv = learnedLogVarianceTensor(schedule, t, tf.fill([1, 1, 1, 1], out) as tf.Tensor4D);
  const [v] = await values(lv);
  lv.dispose();
  return v;
}

describe('learned variance Σ_θ (Nichol & Dhariwal 2021, eq. 15)', () => {
  it('maps the output −1 to β̃_t and +1 to β_t (reference values, linear T = 1000, t = 500)', async () => {
    const ref = loadReference().linear_T1000 as Record<string, Record<string, number>>;
    const beta = ref.beta['500'];
    const betaTilde = ref.posteriorVariance['500'];
    expect(Math.exp(await logVarianceAt(linear, 500, -1))).toBeCloseTo(betaTilde, 8);
    expect(Math.exp(await logVarianceAt(linear, 500, 1))).toBeCloseTo(beta, 8);
    // Index 0: β̃_0 = 0, so the clipped table uses β̃ at index 1.
    const lv0 = (loadReference().linear_T1000 as Record<string, number>)
      .posteriorLogVarianceClipped_0;
    expect(await logVarianceAt(linear, 0, -1)).toBeCloseTo(lv0, 5);
  });

  it('equals the float64 interpolation with v = (out + 1)/2 and stays between β̃ and β', async () => {
    const outs = [-1, -0.5, 0, 0.3, 1];
    for (const t of [1, 17, 250, 999]) {
      for (const o of outs) {
        const got = await logVarianceAt(linear, t, o);
        expect(got).toBeCloseTo(learnedLogVariance(linear, t, (o + 1) / 2), 5);
        const sigma2 = Math.exp(got);
        expect(sigma2).toBeGreaterThanOrEqual(linear.posteriorVariance[t] * (1 - 1e-5));
        expect(sigma2).toBeLessThanOrEqual(linear.betas[t] * (1 + 1e-5));
      }
    }
  });

  it('with fewer steps, interpolates the respaced β′ and β̃′ (improved-diffusion respace.py)', async () => {
    const kept = ddimTimesteps(1000, 10);
    const r = respacedSchedule(linear, kept);
    const sorted = Array.from(kept).sort((a, b) => a - b);
    for (let j = 1; j < sorted.length; j++) {
      // Independently: β′_j = 1 − ᾱ_{k_j}/ᾱ_{k_{j−1}}, β̃′_j = (1 − ᾱ_{k_{j−1}})/(1 − ᾱ_{k_j})·β′_j.
      const ab = linear.alphaBars[sorted[j]];
      const abPrev = linear.alphaBars[sorted[j - 1]];
      const betaP = 1 - ab / abPrev;
      const betaTildeP = ((1 - abPrev) / (1 - ab)) * betaP;
      const mid = 0.5 * Math.log(betaP) + 0.5 * Math.log(betaTildeP);
      expect(await logVarianceAt(r, j, 0)).toBeCloseTo(mid, 4);
      expect(Math.exp(await logVarianceAt(r, j, 1)) / betaP).toBeCloseTo(1, 5);
      // Far larger than the full schedule's single-step β at the same timestep.
      expect(betaP).toBeGreaterThan(10 * linear.betas[sorted[j]]);
    }
  });

  it('takes one t per example from an int32 tensor and leaks nothing', async () => {
    await expectNoLeak(async () => {
      const out = tf.tensor4d(uniform(8, 3), [2, 2, 2, 1]);
      const t = tf.tensor1d([5, 700], 'int32');
      const lv = learnedLogVarianceTensor(linear, t, out);
      const got = await values(lv);
      const o = await values(out);
      for (let k = 0; k < 8; k++) {
        const ti = k < 4 ? 5 : 700;
        expect(got[k]).toBeCloseTo(learnedLogVariance(linear, ti, (o[k] + 1) / 2), 5);
      }
      tf.dispose([out, t, lv]);
    });
  });
});

describe('the tensor KL and decoder against the float64 formulas', () => {
  it('normalKlTensor equals normalKl', async () => {
    const [m1, lv1, m2, lv2] = [1, 2, 3, 4].map((s) => uniform(6, s, -2, 2));
    const kl = normalKlTensor(tf.tensor(m1), tf.tensor(lv1), tf.tensor(m2), tf.tensor(lv2));
    const got = await values(kl);
    for (let k = 0; k < 6; k++) {
      expect(got[k]).toBeCloseTo(normalKl(m1[k], lv1[k], m2[k], lv2[k]), 4);
    }
  });

  it('the discretised decoder equals the float64 one, edge bins included', async () => {
    const x = Float32Array.from([-1, -1 + 2 / 255, 0, 1 - 2 / 255, 1]);
    const mean = uniform(5, 9, -1, 1);
    const logScale = Float32Array.from([-3, -2, -4, -1.5, -2.5]);
    const ll = discretizedGaussianLogLikelihoodTensor(
      tf.tensor(x),
      tf.tensor(mean),
      tf.tensor(logScale),
    );
    const got = await values(ll);
    for (let k = 0; k < 5; k++) {
      const want = discretizedGaussianLogLikelihood(x[k], mean[k], logScale[k]);
      expect(Math.abs(got[k] - want)).toBeLessThan(1e-3 * Math.max(1, Math.abs(want)));
    }
  });

  it('vlbTermsBpd is the KL (t ≥ 1) or the decoder NLL (t = 0) per image in bits/dim', async () => {
    const [B, H, W, C] = [3, 2, 2, 2];
    const D = H * W * C;
    // x_0 on the 256-level grid, as the data sets give it.
    const x0 = uniform(B * D, 1).map((v) => Math.round(((v + 1) / 2) * 255) * (2 / 255) - 1);
    const xt = uniform(B * D, 2);
    const eps = uniform(B * D, 3);
    const out = uniform(B * D, 4);
    const ts = [0, 3, 600];
    const shape: [number, number, number, number] = [B, H, W, C];
    await expectNoLeak(async () => {
      const [logVariance, bpd] = tf.tidy(() => {
        const t = tf.tensor1d(ts, 'int32');
        const lvT = learnedLogVarianceTensor(linear, t, tf.tensor4d(out, shape));
        const terms = vlbTermsBpd(linear, {
          x0: tf.tensor4d(x0, shape),
          xt: tf.tensor4d(xt, shape),
          t,
          eps: tf.tensor4d(eps, shape),
          logVariance: lvT,
        });
        return [lvT, terms];
      });
      const got = await values(bpd);
      const lvs = await values(logVariance);
      tf.dispose([logVariance, bpd]);
      for (let b = 0; b < B; b++) {
        const sl = (a: ArrayLike<number>) => Array.from(a).slice(b * D, (b + 1) * D);
        const i = ts[b];
        const lv = sl(lvs);
        let nats: number;
        if (i === 0) {
          // decoderNll takes one variance: the per-pixel sum, pixel by pixel.
          nats = 0;
          for (let k = 0; k < D; k++) {
            const a = linear.sqrtRecipAlphaBars[0];
            const c = linear.sqrtRecipM1AlphaBars[0];
            const x0Pred = [a * sl(xt)[k] - c * sl(eps)[k]];
            nats += decoderNll(linear, [sl(x0)[k]], x0Pred, lv[k]);
          }
        } else {
          nats = klTermPerPixel(linear, i, sl(x0), sl(xt), sl(eps), lv);
        }
        const want = nats / (D * Math.LN2);
        expect(Math.abs(got[b] - want)).toBeLessThan(2e-3 * Math.max(1, Math.abs(want)));
      }
    });
  });
});

describe('stopGradient', () => {
  it('passes the value through and blocks the gradient', async () => {
    const x = tf.tensor1d([1, -2, 3]);
    const y = tf.tensor1d([2, 5, 7]);
    // f(x) = Σ x·y + Σ stop(x)²: df/dx = y only.
    const g = tf.grad((a: tf.Tensor) =>
      tf.add(tf.sum(tf.mul(a, y)), tf.sum(tf.square(stopGradient(a)))),
    );
    const grad = g(x);
    expect(Array.from(await values(grad))).toEqual([2, 5, 7]);
    const passed = stopGradient(x);
    expect(Array.from(await values(passed))).toEqual([1, -2, 3]);
    tf.dispose([x, y, grad, passed]);
  });
});
