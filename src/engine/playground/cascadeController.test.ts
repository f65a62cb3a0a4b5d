// The Cascade view's engine on cpu: a tiny cascade trained on synthetic 28×28 digits (2 steps per
// stage, progress reported), then sampled with every step recorded, plain and truncated; bad
// requests are refused and leave the cascade in use; no tensor leaks.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useCpu } from '../../diffusion/test-utils/tf';
import { syntheticDataset } from '../training/testing';
import { CascadeController, type CascadeTrainProgress } from './cascadeController';

beforeAll(useCpu);

describe('CascadeController', () => {
  it('trains a tiny cascade, samples and scrubs it, truncated or not', async () => {
    const c = new CascadeController();
    await expect(
      c.sample({ classLabel: 1, guidance: 3, n: 1, steps: 2, seed: 0, augLevel: 0.1 }),
    ).rejects.toThrow(/no cascade loaded/);
    const before = tf.memory().numTensors;
    const progress: CascadeTrainProgress[] = [];
    const info = await c.trainTiny(
      { steps: 2, batch: 2, seed: 1 },
      syntheticDataset(8, 10, 28),
      (p) => void progress.push(p),
    );
    expect(info.source).toBe('trained');
    expect(info.stages.map((s) => s.name)).toEqual(['base', 'sr', 'sr-noaug']);
    expect(progress.map((p) => `${p.stage}:${p.step}`)).toEqual([
      'base:1',
      'base:2',
      'sr:1',
      'sr:2',
      'sr-noaug:1',
      'sr-noaug:2',
    ]);
    expect(progress.at(-1)?.fraction).toBe(1);
    const models = tf.memory().numTensors;
    const req = { classLabel: 3, guidance: 2, n: 2, steps: 3, seed: 4, augLevel: 0.2 };
    const r = await c.sample(req);
    expect(r.base.ts).toEqual([999, 500, 0]);
    expect(r.base.frames.length).toBe(4 * 2 * 14 * 14);
    expect(r.sr.frames.length).toBe(4 * 2 * 28 * 28);
    expect(r.srNoAug?.frames.length).toBe(4 * 2 * 28 * 28);
    expect(r.augValue).toBe(200);
    expect(r.handoverFrame).toBeNull();
    expect(r.noiseCoefficients?.signal ?? 0).toBeGreaterThan(0);
    // Truncated at s = 200: the first recorded base step with t ≤ 200 is t = 0 (frame 2).
    const t = await c.sample({ ...req, truncated: true });
    expect(t.handoverFrame).toBe(2);
    expect(t.augValue).toBe(0);
    await expect(c.sample({ ...req, n: 17 })).rejects.toThrow(/n must be/);
    await expect(c.sample({ ...req, augLevel: 2 })).rejects.toThrow(/\[0, 1\]/);
    expect(tf.memory().numTensors).toBe(models);
    c.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
