// Samplers side by side: the sides start from the same x_T, each side's samples are exactly what
// the same sampler gives on its own, and a bad side, a cancel or a second start leave no tensors.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initWasmForTests } from '../backends/testing';
import { SamplingSession } from '../sampling';
import { ModelSlot } from './modelSlot';
import { ComparisonController, type ComparisonProgress } from './comparisonController';
import { leaseOwnWeights } from './weights';

const CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
let slot: ModelSlot;

beforeAll(async () => {
  await initWasmForTests();
  slot = new ModelSlot();
  await slot.create('mnist', 'tiny', CLASSES, { schedule: { kind: 'linear', T: 12 }, seed: 5 });
});

afterAll(() => slot.dispose());

const shared = { n: 2, classes: [3, 7], seed: 9, guidanceScale: 2, clipX0: true };

describe('ComparisonController', () => {
  it('runs DDPM and DDIM from the same x_T; each side equals its sampler run alone', async () => {
    const baseline = tf.memory().numTensors;
    const controller = new ComparisonController();
    const seen: ComparisonProgress[] = [];
    const result = await controller.run(
      leaseOwnWeights(slot.model),
      slot.schedule,
      {
        ...shared,
        sides: [
          { sampler: 'ddpm', variance: 'betaTilde' },
          { sampler: 'ddim', steps: 4, eta: 0 },
        ],
      },
      (p) => seen.push(p),
    );
    expect(result.sides.map((s) => s.steps)).toEqual([12, 4]);
    // Guided (s = 2 with a class): two network passes per step.
    expect(result.sides.map((s) => s.networkPasses)).toEqual([24, 8]);
    expect(seen.filter((p) => p.side === 0).length).toBe(12);
    expect(seen.filter((p) => p.side === 1).map((p) => p.stepsDone)).toEqual([1, 2, 3, 4]);
    for (const [i, side] of [
      { sampler: 'ddpm' as const, variance: 'betaTilde' as const },
      { sampler: 'ddim' as const, steps: 4, eta: 0 },
    ].entries()) {
      const alone = new SamplingSession(slot.model, slot.schedule, { ...shared, ...side });
      const start = await alone.current();
      expect(Array.from(start.x)).toEqual(Array.from(result.xT));
      const end = await alone.run();
      expect(Array.from(result.sides[i].x)).toEqual(Array.from(end.x));
      alone.dispose();
    }
    // Different samplers from the same noise give different samples.
    expect(Array.from(result.sides[0].x)).not.toEqual(Array.from(result.sides[1].x));
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('rejects a bad side before running anything, and frees everything', async () => {
    const baseline = tf.memory().numTensors;
    const controller = new ComparisonController();
    let released = 0;
    const lease = { model: slot.model, release: () => void released++ };
    await expect(
      controller.run(lease, slot.schedule, {
        ...shared,
        sides: [
          { sampler: 'ddim', steps: 4 },
          { sampler: 'ddim', steps: 99 },
        ],
      }),
    ).rejects.toThrow(/steps must be an integer in \[1, 12\]/);
    await expect(controller.run(lease, slot.schedule, { ...shared, sides: [] })).rejects.toThrow(
      /1 to 4 sides/,
    );
    expect(released).toBe(2);
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('cancels between steps, refuses a second start meanwhile, and frees everything', async () => {
    const baseline = tf.memory().numTensors;
    const controller = new ComparisonController();
    const req = { ...shared, sides: [{ sampler: 'ddpm' as const }, { sampler: 'ddim' as const }] };
    const run = controller.run(leaseOwnWeights(slot.model), slot.schedule, req, (p) => {
      if (p.stepsDone === 3) controller.cancel('stop');
    });
    await expect(controller.run(leaseOwnWeights(slot.model), slot.schedule, req)).rejects.toThrow(
      /already running/,
    );
    await expect(run).rejects.toMatchObject({ name: 'ComparisonCancelled', message: 'stop' });
    await controller.settled();
    expect(controller.running).toBe(false);
    expect(tf.memory().numTensors).toBe(baseline);
  });
});
