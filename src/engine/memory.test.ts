// No tensor leaks over a realistic session on wasm: 200 training steps of the tiny MNIST U-Net
// on real MNIST images (through TrainingSession, as the worker runs them), then 5 sampling runs
// with and without guidance, from the live and the EMA weights; afterwards tf.memory() must be
// back at the baseline taken before the model existed, and the memory must not grow per step.
import * as tf from '@tensorflow/tfjs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDataset, type Dataset } from '../data/dataset';
import { fsSource } from '../data/fsSource';
import { makeSchedule } from '../diffusion/schedule';
import { getPreset } from '../model/presets';
import { UNet } from '../model/unet';
import { initWasmForTests } from './backends/testing';
import { SamplingSession, type SamplingOptions } from './sampling';
import { Trainer, TrainingSession, type TrainingProgress } from './training';

const STEPS = 200;
const REPORT_EVERY = 10;

let data: Dataset;

beforeAll(async () => {
  await initWasmForTests();
  const root = fileURLToPath(new URL('../../public/data', import.meta.url));
  data = await loadDataset(fsSource(root), 'mnist', 'train', { limit: 64 });
});

const memory = () => {
  const { numTensors, numBytes } = tf.memory();
  return { numTensors, numBytes };
};

describe('tensor memory', () => {
  it(`returns to its baseline after ${STEPS} training steps and 5 sampling runs`, async () => {
    const started = performance.now();
    const baseline = memory();
    const config = getPreset('mnist', 'tiny');
    const schedule = makeSchedule({ kind: 'linear', T: 1000 });
    const unet = UNet.create(config, { seed: 1 });
    const trainer = new Trainer(unet, data, schedule, {
      batchSize: 2,
      learningRate: 1e-3,
      warmupSteps: 10,
      reportEvery: REPORT_EVERY,
      seed: 3,
    });
    const reports: TrainingProgress[] = [];
    const session = new TrainingSession(trainer, {
      targetSteps: STEPS,
      onProgress: (p) => reports.push(p),
    });
    await session.start();
    expect(session.error).toBeNull();
    expect(session.state).toBe('finished');
    expect(trainer.stepCount).toBe(STEPS);
    const trained = performance.now();

    // Memory at every report point (tf.memory() is taken there, after the readback) from step 50
    // on: identical, i.e. zero growth per step, not merely a small one.
    // A run reports its first step at once, then every REPORT_EVERY steps.
    expect(reports.map((r) => r.step)).toEqual([
      1,
      ...Array.from({ length: STEPS / REPORT_EVERY }, (_, i) => (i + 1) * REPORT_EVERY),
    ]);
    const at50 = reports.find((r) => r.step === 50)?.memory;
    const at200 = reports.find((r) => r.step === 200)?.memory;
    expect(at50).toBeDefined();
    expect(at200).toEqual(at50);
    for (const r of reports.filter((p) => p.step >= 50))
      expect(r.memory, `step ${r.step}`).toEqual(at50);
    expect(Number.isFinite(reports[reports.length - 1].loss)).toBe(true);

    // Sampling: DDIM, 5 steps, n = 2, alternating guided (s = 3, two passes batched) and plain
    // runs, from the live weights and from a copy of the EMA weights; one records its trajectory.
    const ema = new UNet(config, trainer.emaParams());
    const afterTraining = memory();
    const runs: { model: UNet; opts: Partial<SamplingOptions> }[] = [
      { model: unet, opts: { guidanceScale: 3 } },
      { model: unet, opts: { classes: null } },
      { model: ema, opts: { guidanceScale: 2, recordTrajectory: true } },
      { model: ema, opts: { guidanceScale: 1 } },
      { model: unet, opts: { guidanceScale: 3, eta: 1 } },
    ];
    for (const [i, run] of runs.entries()) {
      const s = new SamplingSession(run.model, schedule, {
        n: 2,
        sampler: 'ddim',
        steps: 5,
        classes: [3, 8],
        seed: 10 + i,
        ...run.opts,
      });
      const out = await s.run();
      expect(out.done).toBe(true);
      expect(out.x.length).toBe(2 * 28 * 28);
      expect(out.x.every(Number.isFinite)).toBe(true);
      expect(out.step?.guided).toBe(
        (run.opts.guidanceScale ?? 1) !== 1 && run.opts.classes !== null,
      );
      s.dispose();
      expect(memory(), `after sampling run ${i}`).toEqual(afterTraining);
    }
    const sampled = performance.now();

    await session.dispose();
    trainer.dispose();
    ema.dispose();
    unet.dispose();
    expect(memory()).toEqual(baseline);
    console.log(
      `memory test: ${STEPS} steps in ${((trained - started) / 1000).toFixed(1)} s, ` +
        `5 sampling runs in ${((sampled - trained) / 1000).toFixed(1)} s; ` +
        `baseline ${baseline.numTensors} tensors, ${afterTraining.numTensors} while trained`,
    );
  });
});
