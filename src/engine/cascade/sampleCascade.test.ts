// The whole pipeline on tiny random stages (cpu): shapes, the level the SR model is told, the
// truncated handover (CDM Sec. 4.2) at the first DDIM step with t ≤ s, determinism, no leaks.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSchedule } from '../../diffusion/schedule';
import { useCpu } from '../../diffusion/test-utils/tf';
import { cascadeBaseConfig, cascadeSrConfig } from '../../model/cascadePresets';
import { UNet } from '../../model/unet';
import { CASCADE_STAGE_FORMAT } from './stage';
import { sampleCascade } from './sampleCascade';
import type { SrStage } from './cascade';

const schedule = makeSchedule({ kind: 'linear', T: 1000 });
let base: UNet;
let sr: SrStage;

beforeAll(async () => {
  await useCpu();
  base = UNet.create(cascadeBaseConfig('tiny'), { seed: 1, zeroInit: false });
  sr = {
    unet: UNet.create(cascadeSrConfig('tiny', 'noise'), { seed: 2, zeroInit: false }),
    info: {
      format: CASCADE_STAGE_FORMAT,
      stage: 'sr',
      augmentation: 'noise',
      augStrength: 0.5,
      factor: 2,
    },
  };
});
afterAll(() => {
  base.dispose();
  sr.unet.dispose();
});

const opts = {
  n: 2,
  sampler: 'ddim' as const,
  steps: 4,
  classes: [3, 4],
  guidanceScale: 3,
  seed: 5,
  augLevel: 0.5,
};

describe('sampleCascade', () => {
  it('goes 14×14 → 28×28, tells the SR model s = round(a(T − 1)), leaks nothing', async () => {
    const before = tf.memory().numTensors;
    const out = await sampleCascade(base, sr, schedule, opts);
    expect(tf.memory().numTensors).toBe(before);
    expect(out.low.length).toBe(2 * 14 * 14);
    expect(out.x.length).toBe(2 * 28 * 28);
    expect(out.cond.length).toBe(2 * 28 * 28);
    expect(out.levelUsed).toBe(500);
    const again = await sampleCascade(base, sr, schedule, opts);
    expect(Array.from(again.x)).toEqual(Array.from(out.x));
  });

  it('truncated: hands over the base’s x_t at the first step with t ≤ s', async () => {
    // DDIM 4 steps visit t = 999, 666, 333, 0: the first ≤ 500 is 333.
    const trunc = await sampleCascade(base, sr, schedule, { ...opts, truncated: true });
    expect(trunc.levelUsed).toBe(333);
    const full = await sampleCascade(base, sr, schedule, opts);
    // The handed-over z_333 is not the finished sample of the same noise.
    expect(Array.from(trunc.low)).not.toEqual(Array.from(full.low));
    // a = 1: nothing of the base is run; z is its x_T (std ≈ 1, not in [−1, 1]).
    const none = await sampleCascade(base, sr, schedule, { ...opts, augLevel: 1, truncated: true });
    expect(none.levelUsed).toBe(999);
    expect(Math.max(...Array.from(none.low).map(Math.abs))).toBeGreaterThan(1);
  });

  it('rejects a level outside the model’s range', async () => {
    await expect(sampleCascade(base, sr, schedule, { ...opts, augLevel: 1.5 })).rejects.toThrow(
      /\[0, 1\]/,
    );
  });
});
