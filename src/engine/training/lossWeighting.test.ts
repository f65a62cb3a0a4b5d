// Per-example loss weights (min-SNR-γ, Hang et al. 2023): diffusionLoss multiplies each example's
// squared error by its weight, and the trainer passes w_t of each sampled t.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { minSnrWeights } from '../../diffusion/lossWeighting';
import { makeSchedule } from '../../diffusion/schedule';
import { UNet } from '../../model/unet';
import { diffusionLoss } from './loss';
import { microConfig } from './testing';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

const values = async (t: tf.Tensor) => Array.from(await t.data());

describe('weighted L_simple', () => {
  it('is w_t · mean (ε − ε̂)² per example, and leaks nothing', async () => {
    const schedule = makeSchedule({ kind: 'linear', T: 100 });
    const unet = UNet.create(microConfig(), { seed: 3, zeroInit: false });
    const c = unet.config;
    const shape: [number, number, number, number] = [3, c.imageSize, c.imageSize, c.inChannels];
    const tIdx = [0, 40, 99];
    const w = minSnrWeights(schedule);
    const x0 = tf.randomUniform(shape, -1, 1, 'float32', 1) as tf.Tensor4D;
    const noise = tf.randomNormal(shape, 0, 1, 'float32', 2) as tf.Tensor4D;
    const t = tf.tensor1d(tIdx, 'int32');
    const y = c.numClasses ? tf.tensor1d([0, 1, c.numClasses], 'int32') : null;
    const weights = tf.tensor1d(tIdx.map((i) => w[i]));
    const before = tf.memory().numTensors;
    const plain = diffusionLoss(unet, schedule, { x0, t, y, noise });
    const weighted = diffusionLoss(unet, schedule, { x0, t, y, noise, weights });
    expect(tf.memory().numTensors).toBe(before + 4);
    const p = await values(plain.perExample);
    const q = await values(weighted.perExample);
    tIdx.forEach((i, b) => expect(q[b]).toBeCloseTo(p[b] * w[i], 5));
    // t = 1 of the linear schedule has SNR ≫ 5, so min-SNR nearly silences it.
    expect(w[0]).toBeLessThan(0.01);
    expect((await values(weighted.loss))[0]).toBeCloseTo((q[0] + q[1] + q[2]) / 3, 5);
    tf.dispose([plain.loss, plain.perExample, weighted.loss, weighted.perExample]);
    tf.dispose([x0, noise, t, weights, ...(y ? [y] : [])]);
    unet.dispose();
  });
});
