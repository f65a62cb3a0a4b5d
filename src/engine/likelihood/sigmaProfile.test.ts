// learnedSigmaProfile against the float64 formula of vlb.ts (learnedLogVariance, Nichol &
// Dhariwal 2021 eq. 15), with stand-in models whose v output is known, and on a tiny U-Net.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeSchedule } from '../../diffusion/schedule';
import { learnedLogVariance } from '../../diffusion/vlb';
import { getPreset } from '../../model/presets';
import { UNet } from '../../model/unet';
import { initWasmForTests } from '../backends/testing';
import type { EpsModel } from '../sampling/eps';
import { learnedSigmaProfile, profileTimesteps, quantileSorted } from './sigmaProfile';

const schedule = makeSchedule({ kind: 'linear', T: 1000 });
const config = { imageSize: 4, inChannels: 1, numClasses: 0, learnSigma: true };

/** A stand-in whose network output is out = f(x_t) on the v channel (ε̂ = 0). */
function fake(f: (x: tf.Tensor4D) => tf.Tensor4D): EpsModel {
  return {
    config,
    apply: (x) => tf.zerosLike(x),
    applyOutput: (x) => tf.concat([tf.zerosLike(x), f(x)], 3) as tf.Tensor4D,
  };
}

beforeAll(async () => {
  await initWasmForTests();
});

describe('learnedSigmaProfile', () => {
  it('gives exactly v·log β_t + (1 − v)·log β̃_t for a constant v, leaking nothing', async () => {
    const x0 = tf.zeros([3, 4, 4, 1]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const ts = [0, 1, 5, 50, 999];
    // out = −0.5 → v = 0.25.
    const r = await learnedSigmaProfile(
      fake((x) => tf.fill(x.shape, -0.5) as tf.Tensor4D),
      schedule,
      x0,
      { ts, seed: 3, perPass: 2 },
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(r.t).toEqual(ts);
    expect(r.images).toBe(3);
    ts.forEach((t, k) => {
      const want = learnedLogVariance(schedule, t, 0.25);
      expect(r.meanLogSigma[k]).toBeCloseTo(want, 4);
      expect(r.lowLogSigma[k]).toBeCloseTo(want, 4);
      expect(r.highLogSigma[k]).toBeCloseTo(want, 4);
      expect(r.meanV[k]).toBeCloseTo(0.25, 6);
      expect(r.logBeta[k]).toBeCloseTo(Math.log(schedule.betas[t]), 12);
      expect(r.logBetaTilde[k]).toBe(schedule.posteriorLogVarianceClipped[t]);
    });
    x0.dispose();
  });

  it('spreads a band around the mean when v varies, inside [log β̃_t, log β_t] for v in [0, 1]', async () => {
    const x0 = tf.randomUniform([2, 4, 4, 1], -1, 1, 'float32', 5) as tf.Tensor4D;
    const r = await learnedSigmaProfile(
      fake((x) => tf.tanh(x)),
      schedule,
      x0,
      { ts: [0, 10, 500], seed: 1 },
    );
    r.t.forEach((_, k) => {
      expect(r.lowLogSigma[k]).toBeLessThan(r.highLogSigma[k]);
      expect(r.lowLogSigma[k]).toBeLessThanOrEqual(r.meanLogSigma[k]);
      expect(r.meanLogSigma[k]).toBeLessThanOrEqual(r.highLogSigma[k]);
      expect(r.lowLogSigma[k]).toBeGreaterThanOrEqual(r.logBetaTilde[k] - 1e-6);
      expect(r.highLogSigma[k]).toBeLessThanOrEqual(r.logBeta[k] + 1e-6);
    });
    x0.dispose();
  });

  it('runs on a U-Net with a v output and refuses one without', async () => {
    const unet = UNet.create(
      { ...getPreset('mnist', 'tiny'), numClasses: 0, learnSigma: true },
      { seed: 2, zeroInit: false },
    );
    const plain = UNet.create(getPreset('mnist', 'tiny'), { seed: 2 });
    const x0 = tf.zeros([1, 28, 28, 1]) as tf.Tensor4D;
    const r = await learnedSigmaProfile(unet, schedule, x0, { ts: [0, 999], seed: 0 });
    expect(r.meanLogSigma.every(Number.isFinite)).toBe(true);
    await expect(learnedSigmaProfile(plain, schedule, x0, { ts: [0], seed: 0 })).rejects.toThrow(
      /no learned variance/,
    );
    await expect(learnedSigmaProfile(unet, schedule, x0, { ts: [1000], seed: 0 })).rejects.toThrow(
      /\[0, 999\]/,
    );
    tf.dispose([x0]);
    unet.dispose();
    plain.dispose();
  }, 60_000);
});

describe('profileTimesteps and quantileSorted', () => {
  it('spans 0..T−1, ascending, dense at small t', () => {
    const ts = profileTimesteps(1000, 30);
    expect(ts[0]).toBe(0);
    expect(ts[ts.length - 1]).toBe(999);
    ts.slice(1).forEach((t, i) => expect(t).toBeGreaterThan(ts[i]));
    expect(ts.filter((t) => t < 100).length).toBeGreaterThan(ts.filter((t) => t >= 100).length);
  });

  it('interpolates quantiles linearly', () => {
    const s = Float32Array.from([0, 1, 2, 3, 4]);
    expect(quantileSorted(s, 0)).toBe(0);
    expect(quantileSorted(s, 0.5)).toBe(2);
    expect(quantileSorted(s, 0.1)).toBeCloseTo(0.4, 6);
    expect(quantileSorted(s, 1)).toBe(4);
  });
});
