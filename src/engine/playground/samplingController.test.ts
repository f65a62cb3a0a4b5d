// A long advance reports every step as it finishes and reads back once, at the end.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initWasmForTests } from '../backends/testing';
import { ModelSlot } from './modelSlot';
import { SamplingController, type SamplingProgress } from './samplingController';
import { leaseOwnWeights } from './weights';

beforeAll(async () => {
  await initWasmForTests();
});

describe('SamplingController.advance', () => {
  it('reports progress per step and returns the frame after the last', async () => {
    const baseline = tf.memory().numTensors;
    const slot = new ModelSlot();
    await slot.create('mnist', 'tiny', ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], {
      schedule: { kind: 'linear', T: 50 },
    });
    const sampling = new SamplingController();
    const first = await sampling.start(leaseOwnWeights(slot.model), slot.schedule, {
      n: 2,
      sampler: 'ddim',
      steps: 4,
      classes: [3, 3],
      seed: 1,
      guidanceScale: 3,
    });
    const seen: SamplingProgress[] = [];
    const last = await sampling.advance(first.totalSteps, (p) => seen.push(p));
    expect(seen).toEqual([1, 2, 3, 4].map((stepsDone) => ({ stepsDone, totalSteps: 4 })));
    expect(last.done).toBe(true);
    expect(last.x.length).toBe(2 * 28 * 28);
    sampling.stop();
    slot.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
  });
});
