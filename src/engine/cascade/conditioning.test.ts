// The cascade's tensor pieces on the cpu backend: blur against a float64 2-D convolution, noise
// augmentation statistics, shapes, the conditioned U-Net and a conditioned training step, no leaks.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { blurMatrix, gaussianKernel1d, blurRadius } from '../../diffusion/conditioningAugmentation';
import { makeSchedule } from '../../diffusion/schedule';
import { expectNoLeak, useCpu, values } from '../../diffusion/test-utils/tf';
import { cascadeBaseConfig, cascadeSrConfig } from '../../model/cascadePresets';
import { countParams } from '../../model/params';
import { UNet } from '../../model/unet';
import { syntheticDataset } from '../training/testing';
import { Trainer } from '../training/trainer';
import {
  augmentedCondition,
  blurImages,
  downsample,
  noiseAugment,
  trainingCondition,
  upsample,
} from './conditioning';

beforeAll(useCpu);

const schedule = makeSchedule({ kind: 'linear', T: 1000 });

describe('blurImages', () => {
  it('matches a float64 2-D Gaussian convolution in the interior', async () => {
    const n = 14;
    const sigma = 0.8;
    const img = new Float32Array(n * n);
    img[7 * n + 6] = 1; // an impulse: the output is the 2-D kernel itself
    const k = gaussianKernel1d(sigma);
    const r = blurRadius(sigma);
    await expectNoLeak(async () => {
      const x = tf.tensor4d(img, [1, n, n, 1]);
      const y = blurImages(x, [sigma]);
      const out = await values(y);
      tf.dispose([x, y]);
      for (let dy = -r; dy <= r; dy++) {
        for (let dx = -r; dx <= r; dx++) {
          expect(out[(7 + dy) * n + 6 + dx]).toBeCloseTo(k[dy + r] * k[dx + r], 6);
        }
      }
      expect(out.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    });
  });

  it('blurs each image with its own σ (σ = 0 leaves it unchanged)', async () => {
    const x = tf.randomNormal([2, 6, 6, 1], 0, 1, 'float32', 7) as tf.Tensor4D;
    const y = blurImages(x, [0, 1]);
    const [xv, yv] = [await values(x), await values(y)];
    for (let i = 0; i < 36; i++) expect(yv[i]).toBeCloseTo(xv[i], 6);
    // Image 1 equals B X Bᵀ computed in float64.
    const m = blurMatrix(6, 1);
    for (const [i, j] of [
      [0, 0],
      [2, 3],
      [5, 1],
    ]) {
      let v = 0;
      for (let a = 0; a < 6; a++)
        for (let b = 0; b < 6; b++) v += m[i * 6 + a] * xv[36 + a * 6 + b] * m[j * 6 + b];
      expect(yv[36 + i * 6 + j]).toBeCloseTo(v, 5);
    }
    tf.dispose([x, y]);
    expect(() => blurImages(tf.zeros([2, 4, 4, 1]) as tf.Tensor4D, [1])).toThrow(/σ values/);
  });
});

describe('noiseAugment', () => {
  it('gives mean √ᾱ_s·x and variance 1 − ᾱ_s (seeded, 4 standard errors)', async () => {
    const s = 250;
    const ab = schedule.alphaBars[s];
    const N = 64 * 14 * 14;
    const x = tf.fill([64, 14, 14, 1], 0.5) as tf.Tensor4D;
    const eps = tf.randomNormal([64, 14, 14, 1], 0, 1, 'float32', 11) as tf.Tensor4D;
    const z = noiseAugment(x, new Array(64).fill(s), schedule, eps);
    const v = await values(z);
    tf.dispose([x, eps, z]);
    const mean = v.reduce((a, b) => a + b, 0) / N;
    const variance = v.reduce((a, b) => a + (b - mean) ** 2, 0) / (N - 1);
    const sd = Math.sqrt(1 - ab);
    expect(Math.abs(mean - Math.sqrt(ab) * 0.5)).toBeLessThan((4 * sd) / Math.sqrt(N));
    expect(Math.abs(variance - (1 - ab))).toBeLessThan(4 * (1 - ab) * Math.sqrt(2 / N));
  });
});

describe('resolution changes', () => {
  it('averages 2×2 blocks and upsamples back to 28×28', async () => {
    const x = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
    const d = downsample(x);
    expect(Array.from(await values(d))).toEqual([2.5]);
    const u = upsample(tf.zeros([3, 14, 14, 1]) as tf.Tensor4D, 28);
    expect(u.shape).toEqual([3, 28, 28, 1]);
    tf.dispose([x, d, u]);
  });

  it('builds training conditions of the right shapes, without leaks', async () => {
    await expectNoLeak(async () => {
      const x0 = tf.randomUniform([4, 28, 28, 1], -1, 1, 'float32', 3) as tf.Tensor4D;
      for (const kind of ['noise', 'blur', 'none'] as const) {
        const strength = kind === 'noise' ? 0.5 : kind === 'blur' ? 1 : 0;
        const c = trainingCondition(x0, kind, strength, schedule, 1, 5);
        expect(c.image.shape).toEqual([4, 28, 28, 1]);
        expect(c.augLevel?.shape).toEqual([4]);
        const levels = await values(c.augLevel as tf.Tensor);
        for (const l of levels) {
          if (kind === 'noise') expect(l >= 0 && l <= 500).toBe(true);
          else expect(l).toBe(0);
        }
        tf.dispose([c.image, c.augLevel ?? []].flat());
      }
      x0.dispose();
    });
  });

  it('augmentedCondition with "none" is the plain upsampled image', async () => {
    const low = tf.randomUniform([2, 14, 14, 1], -1, 1, 'float32', 4) as tf.Tensor4D;
    const c = augmentedCondition(low, 'none', [0, 0], 28, schedule, 1);
    const u = upsample(low, 28);
    const [a, b] = [await values(c.image), await values(u)];
    for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i], 6);
    tf.dispose([low, c.low, c.image, c.augLevel ?? [], u].flat());
  });
});

describe('the conditioned U-Net', () => {
  it('has the stage configs’ shapes: 14×14 base, 28×28 SR with 2 input channels', () => {
    const base = cascadeBaseConfig('tiny');
    const sr = cascadeSrConfig('tiny', 'noise');
    const unet = UNet.create(sr, { seed: 1 });
    // conv_in reads (1 image + 1 condition) channels × 2×2 patches = 8; output stays 4 = 1 × 2².
    expect(unet.params.get('conv_in.w')?.shape).toEqual([3, 3, 8, 8]);
    expect(unet.params.get('conv_out.w')?.shape.at(-1)).toBe(4);
    expect(unet.params.has('aug_emb.dense0.w')).toBe(true);
    expect(countParams(cascadeSrConfig('tiny', 'none'))).toBeLessThan(countParams(sr));
    expect(base.imageSize * 2).toBe(sr.imageSize);
    unet.dispose();
  });

  it('needs its condition, uses it and the level s, and predicts ε of the 28×28 image', async () => {
    const unet = UNet.create(cascadeSrConfig('tiny', 'noise'), { seed: 2, zeroInit: false });
    const x = tf.randomNormal([2, 28, 28, 1], 0, 1, 'float32', 5) as tf.Tensor4D;
    const t = tf.tensor1d([10, 500], 'int32');
    const image = tf.randomNormal([2, 28, 28, 1], 0, 1, 'float32', 6) as tf.Tensor4D;
    const s0 = tf.tensor1d([0, 0], 'int32');
    const s1 = tf.tensor1d([300, 300], 'int32');
    expect(() => unet.apply(x, t, null)).toThrow(/conditioning image/);
    expect(() => unet.apply(x, t, null, { training: false, cond: { image } })).toThrow(
      /augmentation level/,
    );
    await expectNoLeak(async () => {
      const a = unet.apply(x, t, null, { training: false, cond: { image, augLevel: s0 } });
      const b = unet.apply(x, t, null, { training: false, cond: { image, augLevel: s1 } });
      const zeros = tf.zerosLike(image) as tf.Tensor4D;
      const c = unet.apply(x, t, null, { training: false, cond: { image: zeros, augLevel: s0 } });
      zeros.dispose();
      expect(a.shape).toEqual([2, 28, 28, 1]);
      const [va, vb, vc] = [await values(a), await values(b), await values(c)];
      const diff = (p: Float32Array, q: Float32Array) =>
        p.reduce((m, v, i) => Math.max(m, Math.abs(v - q[i])), 0);
      expect(diff(va, vb)).toBeGreaterThan(1e-4);
      expect(diff(va, vc)).toBeGreaterThan(1e-4);
      tf.dispose([a, b, c]);
    });
    tf.dispose([x, t, image, s0, s1]);
    unet.dispose();
  });

  it('a plain model refuses a condition', () => {
    const unet = UNet.create(cascadeBaseConfig('tiny'), { seed: 1 });
    const x = tf.zeros([1, 14, 14, 1]) as tf.Tensor4D;
    const t = tf.tensor1d([1], 'int32');
    const image = tf.zeros([1, 14, 14, 1]) as tf.Tensor4D;
    expect(() => unet.apply(x, t, null, { training: false, cond: { image } })).toThrow(
      /without condChannels/,
    );
    tf.dispose([x, t, image]);
    unet.dispose();
  });
});

describe('training the SR stage', () => {
  it('runs conditioned steps with a finite loss and no per-report leak', async () => {
    const ds = syntheticDataset(16, 3, 28);
    const unet = UNet.create(cascadeSrConfig('tiny', 'noise'), { seed: 1 });
    const trainer = new Trainer(
      unet,
      ds,
      schedule,
      { batchSize: 2, learningRate: 1e-3, seed: 1, reportEvery: 2 },
      (x0, step) => trainingCondition(x0, 'noise', 0.5, schedule, 1, step),
    );
    await trainer.step();
    await trainer.step();
    const before = tf.memory().numTensors;
    await trainer.step();
    const stats = await trainer.step();
    expect(stats && Number.isFinite(stats.loss)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    trainer.dispose();
    expect(() => new Trainer(unet, ds, schedule, { batchSize: 2, learningRate: 1e-3 })).toThrow(
      /needs a conditioner/,
    );
    unet.dispose();
  });
});
