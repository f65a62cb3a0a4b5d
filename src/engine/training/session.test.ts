// TrainingSession: start, pause, single step, learning-rate change, resume to the target, and
// an event loop that stays responsive while it trains.
import { beforeAll, describe, expect, it } from 'vitest';
import { initWasmForTests } from '../backends/testing';
import { makeSchedule } from '../../diffusion/schedule';
import { UNet } from '../../model/unet';
import { TrainingSession, type SessionState, type TrainingProgress } from './session';
import { microConfig, syntheticDataset } from './testing';
import { Trainer } from './trainer';
import { macrotask } from '../yield';

beforeAll(initWasmForTests);

function setup(reportEvery = 5) {
  const unet = UNet.create(microConfig(), { seed: 1 });
  const trainer = new Trainer(
    unet,
    syntheticDataset(32, 3),
    makeSchedule({ kind: 'linear', T: 100 }),
    {
      batchSize: 4,
      learningRate: 1e-3,
      warmupSteps: 0,
      reportEvery,
      seed: 2,
    },
  );
  return { unet, trainer };
}

describe('TrainingSession', () => {
  it("reports a run's first step at once, then every reportEvery steps", async () => {
    const { unet, trainer } = setup(5);
    const steps: number[] = [];
    const session = new TrainingSession(trainer, {
      targetSteps: 11,
      onProgress: (p) => steps.push(p.step),
    });
    await session.start();
    // Step 1 of the run, then the report points 5 and 10, then the flush at the end (11).
    expect(steps).toEqual([1, 5, 10, 11]);
    await session.dispose();
    trainer.dispose();
    unet.dispose();
  });

  it('starts, pauses, steps once, changes lr, resumes and finishes', async () => {
    const { unet, trainer } = setup();
    const progress: TrainingProgress[] = [];
    const states: SessionState[] = [];
    let yields = 0;
    let reached10: () => void = () => {};
    const at10 = new Promise<void>((resolve) => (reached10 = resolve));
    const session = new TrainingSession(trainer, {
      targetSteps: 40,
      onProgress: (p) => {
        progress.push(p);
        if (p.step >= 10) reached10();
      },
      onStateChange: (s) => states.push(s),
      yieldToEventLoop: () => {
        yields++;
        return macrotask();
      },
    });
    expect(session.state).toBe('idle');
    const loop = session.start();
    expect(session.state).toBe('running');
    // The loop yields between steps: a timer gets to run long before the 40 steps are done.
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(trainer.stepCount).toBeLessThan(40);

    await at10;
    await session.pause();
    await loop;
    expect(session.state).toBe('paused');
    const pausedAt = trainer.stepCount;
    expect(pausedAt).toBeGreaterThanOrEqual(10);
    expect(pausedAt).toBeLessThan(40);
    expect(session.progress?.step).toBe(pausedAt); // pause flushes the last steps
    for (let i = 0; i < 5; i++) await macrotask();
    expect(trainer.stepCount).toBe(pausedAt);

    const one = await session.stepOnce();
    expect(one.step).toBe(pausedAt + 1);
    expect(one.stepLosses).toHaveLength(1);
    expect(session.state).toBe('paused');
    // Single steps up to and past a report point (every 5): each one reports itself.
    for (let k = 2; k <= 6; k++) expect((await session.stepOnce()).step).toBe(pausedAt + k);

    session.setLearningRate(5e-4);
    await session.resume();
    expect(session.state).toBe('finished');
    expect(trainer.stepCount).toBe(40);
    const last = progress[progress.length - 1];
    expect(last.step).toBe(40);
    expect(last.learningRate).toBe(5e-4);
    expect(last.targetSteps).toBe(40);
    expect(Number.isFinite(last.smoothedLoss)).toBe(true);
    expect(last.lossByBucket).toHaveLength(10);
    expect(last.memory.numTensors).toBeGreaterThan(0);
    expect(last.memory.numBytes).toBeGreaterThan(0);
    expect(yields).toBe(40 - 6); // one per step of the loop; single steps do not yield
    expect(states).toEqual(['running', 'paused', 'running', 'finished']);

    // Past the target: start() finishes at once; a higher target lets it go on.
    await session.start();
    expect(trainer.stepCount).toBe(40);
    session.setTargetSteps(45);
    await session.start();
    expect(trainer.stepCount).toBe(45);
    await session.dispose();
    expect(() => session.start()).toThrow(/disposed/);
    trainer.dispose();
    unet.dispose();
  });

  it('refuses a single step while running, and fails cleanly on NaN', async () => {
    const { unet, trainer } = setup(5);
    const session = new TrainingSession(trainer, { targetSteps: 30 });
    const loop = session.start();
    await expect(session.stepOnce()).rejects.toThrow(/pause/);
    await session.pause();
    await loop;
    const before = trainer.stepCount;
    session.setLearningRate(1e38);
    await session.start();
    expect(session.state).toBe('failed');
    expect(session.error?.message).toMatch(/became .* training stopped, weights restored to step/);
    expect(trainer.stepCount).toBeGreaterThanOrEqual(before);
    trainer.dispose();
    unet.dispose();
  });
});
