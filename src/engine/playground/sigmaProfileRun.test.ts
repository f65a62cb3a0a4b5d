// runSigmaProfile: the first test images of the data set through learnedSigmaProfile, the lease
// released however the run ends, bad requests refused with the reason, no tensor left behind.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../../data/dataset';
import { makeSchedule } from '../../diffusion/schedule';
import { getPreset } from '../../model/presets';
import { UNet } from '../../model/unet';
import { initWasmForTests } from '../backends/testing';
import { runSigmaProfile } from './sigmaProfileRun';

const schedule = makeSchedule({ kind: 'linear', T: 50 });
const dataset: Dataset = {
  name: 'mnist',
  split: 'test',
  height: 28,
  width: 28,
  channels: 1,
  classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  count: 3,
  images: Uint8Array.from({ length: 3 * 784 }, (_, i) => (i * 37) % 256),
  labels: Uint8Array.from([0, 1, 2]),
};

beforeAll(async () => {
  await initWasmForTests();
});

describe('runSigmaProfile', () => {
  it('profiles the first images at log-spaced t and releases the lease', async () => {
    const unet = UNet.create(
      { ...getPreset('mnist', 'tiny'), learnSigma: true },
      { seed: 1, zeroInit: false },
    );
    let released = 0;
    const lease = { model: unet, release: () => void released++ };
    const before = tf.memory().numTensors;
    const r = await runSigmaProfile(
      { lease, schedule, dataset },
      { images: 2, timesteps: 10, seed: 0 },
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(released).toBe(1);
    expect(r.images).toBe(2);
    expect(r.t[0]).toBe(0);
    expect(r.t[r.t.length - 1]).toBe(49);
    await expect(
      runSigmaProfile({ lease, schedule, dataset }, { images: 0, timesteps: 10, seed: 0 }),
    ).rejects.toThrow(/images must be an integer in \[1, 16\]/);
    await expect(
      runSigmaProfile({ lease, schedule, dataset }, { images: 1, timesteps: 1, seed: 0 }),
    ).rejects.toThrow(/timesteps/);
    expect(released).toBe(3);
    const plain = UNet.create(getPreset('mnist', 'tiny'), { seed: 1 });
    await expect(
      runSigmaProfile(
        { lease: { model: plain, release: () => {} }, schedule, dataset },
        { images: 1, timesteps: 4, seed: 0 },
      ),
    ).rejects.toThrow(/no learned variance/);
    expect(tf.memory().numTensors).toBe(before + plain.params.size);
    plain.dispose();
    unet.dispose();
  }, 60_000);
});
