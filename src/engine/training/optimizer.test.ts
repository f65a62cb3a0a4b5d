// Adam (against tf.train.adam), warm-up, clipping, EMA, the loss and the display smoothing.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeSchedule } from '../../diffusion/schedule';
import { UNet } from '../../model/unet';
import { Ema, emaDecayAt } from './ema';
import { flatten } from './flat';
import { bucketLosses, diffusionLoss, lossBucket } from './loss';
import { Adam, clipScale, warmupLearningRate } from './optimizer';
import { BucketAverages, Smoother } from './smoothing';
import { microConfig } from './testing';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const values = async (t: tf.Tensor) => Array.from(await t.data());

describe('Adam', () => {
  it('matches tf.train.adam step for step', async () => {
    const init = [
      tf.randomNormal([3, 4], 0, 1, 'float32', 1),
      tf.randomNormal([5], 0, 1, 'float32', 2),
    ];
    const ours = init.map((t) => tf.variable(t.clone()));
    const theirs = init.map((t) => tf.variable(t.clone()));
    const adam = new Adam(ours);
    const reference = tf.train.adam(0.01, 0.9, 0.999, 1e-8);
    for (let step = 0; step < 6; step++) {
      const grads = init.map((t, i) =>
        tf.randomNormal(t.shape, 0, 1 + step, 'float32', 10 * step + i),
      );
      tf.tidy(() => adam.apply(flatten(grads), 0.01));
      reference.applyGradients(theirs.map((v, i) => ({ name: v.name, tensor: grads[i] })));
      tf.dispose(grads);
    }
    for (let i = 0; i < init.length; i++) {
      const a = await values(ours[i]);
      const b = await values(theirs[i]);
      a.forEach((x, k) => expect(x).toBeCloseTo(b[k], 5));
    }
    expect(adam.updates).toBe(6);
    adam.dispose();
    reference.dispose();
    tf.dispose([...init, ...ours, ...theirs]);
  });

  it('applies a gradient scale', async () => {
    const w = tf.variable(tf.zeros([2]));
    const adam = new Adam([w]);
    // With scale 0 the gradient vanishes: m = v = 0 and w stays put.
    tf.tidy(() => adam.apply(tf.tensor1d([1, -1]), 0.1, tf.scalar(0)));
    expect(await values(w)).toEqual([0, 0]);
    adam.dispose();
    w.dispose();
  });
});

describe('warm-up and clipping', () => {
  it('ramps the learning rate linearly', () => {
    expect(warmupLearningRate(1e-3, 10, 0)).toBeCloseTo(1e-4, 12);
    expect(warmupLearningRate(1e-3, 10, 4)).toBeCloseTo(5e-4, 12);
    expect(warmupLearningRate(1e-3, 10, 9)).toBe(1e-3);
    expect(warmupLearningRate(1e-3, 10, 500)).toBe(1e-3);
    expect(warmupLearningRate(1e-3, 0, 0)).toBe(1e-3);
  });

  it('clips to the global norm (tf.clip_by_global_norm)', async () => {
    const g = tf.tensor1d([3, 4]); // norm 5
    const clip = clipScale(g, 1);
    expect((await values(clip.norm))[0]).toBeCloseTo(5, 5);
    expect((await values(clip.scale))[0]).toBeCloseTo(0.2, 6);
    const loose = clipScale(g, 10);
    expect((await values(loose.scale))[0]).toBe(1);
    const off = clipScale(g, 0);
    expect((await values(off.scale))[0]).toBe(1);
    tf.dispose([g, clip.norm, clip.scale, loose.norm, loose.scale, off.norm, off.scale]);
  });
});

describe('Ema', () => {
  it('follows min(decay, (1+n)/(10+n)) and keeps its own copy', async () => {
    expect(emaDecayAt(0.999, 0)).toBeCloseTo(0.1, 12);
    expect(emaDecayAt(0.999, 90)).toBeCloseTo(0.91, 12);
    expect(emaDecayAt(0.999, 1e6)).toBe(0.999);
    // ema.ts's numbers: the window 1/(1 − d) is (10 + n)/9 ≈ 223 steps at step 2 000, and the
    // cap 0.999 first applies at step 8 990.
    expect(1 / (1 - emaDecayAt(0.999, 2000))).toBeCloseTo(2010 / 9, 6);
    expect(emaDecayAt(0.999, 8989)).toBeLessThan(0.999);
    expect(emaDecayAt(0.999, 8990)).toBe(0.999);
    const w = tf.variable(tf.tensor1d([0, 0]));
    const params = new Map([['w', w]]);
    const ema = new Ema(params, 0.5);
    w.assign(tf.tensor1d([1, 2]));
    ema.update(); // d = min(0.5, 0.1) = 0.1 -> 0.9 * w
    w.assign(tf.tensor1d([3, 4]));
    ema.update(); // d = min(0.5, 2/11) -> ...
    const d = 2 / 11;
    const expected = [0.9 * 1 * d + (1 - d) * 3, 0.9 * 2 * d + (1 - d) * 4];
    const copy = ema.params();
    const got = await values(copy.get('w') as tf.Variable);
    got.forEach((x, i) => expect(x).toBeCloseTo(expected[i], 5));
    expect(copy.get('w')).not.toBe(w);
    tf.dispose([...copy.values()]);
    ema.dispose();
    w.dispose();
  });
});

describe('L_simple', () => {
  it('is the pixel-and-batch mean of (eps - eps_theta)^2, per example too', async () => {
    // A freshly created U-Net has a zero output conv: it predicts eps_theta = 0, so the loss is
    // the mean of the noise squared.
    const unet = UNet.create(microConfig(), { seed: 1 });
    const schedule = makeSchedule({ kind: 'linear', T: 100 });
    const noise = tf.randomNormal([3, 8, 8, 1], 0, 1, 'float32', 5) as tf.Tensor4D;
    const x0 = tf.randomUniform([3, 8, 8, 1], -1, 1, 'float32', 6) as tf.Tensor4D;
    const t = tf.tensor1d([0, 50, 99], 'int32');
    const y = tf.tensor1d([0, 1, 3], 'int32');
    const { loss, perExample } = diffusionLoss(unet, schedule, { x0, t, y, noise });
    const n = await values(noise);
    const per = [0, 1, 2].map(
      (b) => n.slice(b * 64, b * 64 + 64).reduce((s, v) => s + v * v, 0) / 64,
    );
    (await values(perExample)).forEach((v, b) => expect(v).toBeCloseTo(per[b], 4));
    expect((await values(loss))[0]).toBeCloseTo((per[0] + per[1] + per[2]) / 3, 4);
    tf.dispose([loss, perExample, noise, x0, t, y]);
    unet.dispose();
  });

  it('buckets t into 10 equal ranges', () => {
    expect([0, 99, 100, 999].map((t) => lossBucket(t, 1000))).toEqual([0, 0, 1, 9]);
    expect(lossBucket(4, 5)).toBe(8); // T < 10: some buckets stay empty
    const { sums, counts } = bucketLosses([1, 2, 3], [0, 5, 999], 1000);
    expect(sums[0]).toBe(3);
    expect(counts[0]).toBe(2);
    expect(sums[9]).toBe(3);
  });
});

describe('smoothing', () => {
  it('Smoother is bias-corrected', () => {
    const s = new Smoother(0.98);
    expect(s.value).toBeNaN();
    expect(s.push(2)).toBeCloseTo(2, 12);
    expect(s.push(2)).toBeCloseTo(2, 12);
    for (let i = 0; i < 1000; i++) s.push(1);
    expect(s.value).toBeCloseTo(1, 6);
  });

  it('BucketAverages keeps empty buckets null', () => {
    const b = new BucketAverages();
    const counts = [2, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    b.push([1, 0, 0, 0, 0, 0, 0, 0, 0, 4], counts);
    const v = b.values;
    expect(v[0]).toBeCloseTo(0.5, 12);
    expect(v[1]).toBeNull();
    expect(v[9]).toBeCloseTo(4, 12);
  });
});
