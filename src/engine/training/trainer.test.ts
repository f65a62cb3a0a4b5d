// The Trainer on a micro U-Net and synthetic 8x8 data (wasm backend, as the CLI): stats, no
// per-step leak, NaN rollback, determinism and state export/import.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initWasmForTests } from '../backends/testing';
import { makeSchedule } from '../../diffusion/schedule';
import { UNet } from '../../model/unet';
import { microConfig, syntheticDataset } from './testing';
import { Trainer, TrainingDivergedError, type StepStats, type TrainerOptions } from './trainer';

beforeAll(initWasmForTests);

const ds = syntheticDataset(32, 3);
const schedule = makeSchedule({ kind: 'linear', T: 100 });
const options: TrainerOptions = { batchSize: 4, learningRate: 1e-3, warmupSteps: 5, seed: 3 };

function setup(extra: Partial<TrainerOptions> = {}) {
  const unet = UNet.create(microConfig(), { seed: 1 });
  const trainer = new Trainer(unet, ds, schedule, { ...options, ...extra });
  return {
    unet,
    trainer,
    dispose: () => {
      trainer.dispose();
      unet.dispose();
    },
  };
}

async function weights(unet: UNet): Promise<Float32Array[]> {
  return Promise.all(unet.variables().map((v) => v.data<'float32'>()));
}

async function run(trainer: Trainer, steps: number): Promise<StepStats[]> {
  const out: StepStats[] = [];
  for (let i = 0; i < steps; i++) {
    const s = await trainer.step();
    if (s) out.push(s);
  }
  return out;
}

describe('Trainer', () => {
  it('reports every reportEvery steps with per-step losses and t-buckets', async () => {
    const { trainer, dispose } = setup({ reportEvery: 5 });
    const stats = await run(trainer, 12);
    expect(stats.map((s) => s.step)).toEqual([5, 10]);
    const s = stats[1];
    expect(s.stepLosses).toHaveLength(5);
    expect(s.loss).toBeCloseTo(s.stepLosses.reduce((a, b) => a + b) / 5, 6);
    expect(s.lossByBucket).toHaveLength(10);
    expect(s.bucketCounts.reduce((a, b) => a + b)).toBe(20);
    expect(s.imagesPerSecond).toBeGreaterThan(0);
    expect(s.learningRate).toBe(1e-3);
    expect(Number.isFinite(s.gradNorm)).toBe(true);
    const rest = await trainer.flush();
    expect(rest?.step).toBe(12);
    expect(rest?.stepLosses).toHaveLength(2);
    expect(await trainer.flush()).toBeNull();
    dispose();
  });

  it('frees everything and does not leak per step (200 steps)', async () => {
    const baseline = tf.memory().numTensors;
    const { trainer, dispose } = setup({ reportEvery: 10 });
    const counts = new Map<number, number>();
    const bytes = new Map<number, number>();
    for (let i = 0; i < 200; i++) {
      const s = await trainer.step();
      if (s && (s.step === 50 || s.step === 200)) {
        counts.set(s.step, tf.memory().numTensors);
        bytes.set(s.step, tf.memory().numBytes);
      }
    }
    expect(counts.get(200)).toBe(counts.get(50));
    expect(bytes.get(200)).toBe(bytes.get(50));
    dispose();
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('stops on NaN with a clear message and restores the last good weights', async () => {
    const { unet, trainer, dispose } = setup({ reportEvery: 10 });
    await run(trainer, 20);
    const good = await weights(unet);
    // Adam moves each weight by about lr: 1e38 pushes them to the edge of float32, after which
    // the forward pass overflows.
    trainer.setLearningRate(1e38);
    let error: unknown = null;
    try {
      await run(trainer, 10);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TrainingDivergedError);
    const message = (error as Error).message;
    expect(message).toMatch(
      /^(loss|gradient norm) became (NaN|-?Infinity) at step 2[1-9]; training stopped, weights restored to step 20$/,
    );
    expect((error as TrainingDivergedError).restoredStep).toBe(20);
    expect(trainer.stepCount).toBe(20);
    expect(await weights(unet)).toEqual(good);
    // It can go on from there with a sane learning rate.
    trainer.setLearningRate(1e-3);
    const [after] = await run(trainer, 10);
    expect(after.step).toBe(30);
    expect(Number.isFinite(after.loss)).toBe(true);
    dispose();
  });

  it('is reproducible from the seed, and export/import resumes exactly', async () => {
    const a = setup({ reportEvery: 4 });
    await run(a.trainer, 4);
    const state = await a.trainer.exportState();
    const [aStats] = await run(a.trainer, 4);
    const b = setup({ reportEvery: 4 });
    b.trainer.importState(state);
    expect(b.trainer.stepCount).toBe(4);
    const [bStats] = await run(b.trainer, 4);
    expect(bStats.stepLosses).toEqual(aStats.stepLosses);
    expect(await weights(b.unet)).toEqual(await weights(a.unet));
    const emaA = a.trainer.emaParams();
    const emaB = b.trainer.emaParams();
    for (const [name, v] of emaA) {
      expect(await v.data()).toEqual(await (emaB.get(name) as tf.Variable).data());
    }
    tf.dispose([...emaA.values(), ...emaB.values()]);
    a.dispose();
    b.dispose();
  });

  it('refuses misuse', async () => {
    const { trainer, dispose } = setup({ reportEvery: 10 });
    expect(() => trainer.setLearningRate(0)).toThrow(/learning rate/);
    await trainer.step();
    await expect(trainer.exportState()).rejects.toThrow(/flush/);
    await run(trainer, 8);
    const first = trainer.step(); // step 10 reports: it awaits its readback
    await expect(trainer.step()).rejects.toThrow(/already running/);
    await first;
    dispose();
    await expect(trainer.step()).rejects.toThrow(/disposed/);
    const wrong = { ...syntheticDataset(8, 3), height: 9 };
    const unet = UNet.create(microConfig(), { seed: 1 });
    expect(() => new Trainer(unet, wrong, schedule, options)).toThrow(/8x8/);
    unet.dispose();
  });

  it('switches its loss weighting between steps, as if it had started with it', async () => {
    const a = setup({ lossWeighting: 'min-snr', reportEvery: 1 });
    const b = setup({ reportEvery: 1 });
    const c = setup({ reportEvery: 1 });
    try {
      expect(b.trainer.lossWeighting).toBe('uniform');
      b.trainer.setLossWeighting('min-snr');
      expect(b.trainer.lossWeighting).toBe('min-snr');
      const [sa] = await run(a.trainer, 1);
      const [sb] = await run(b.trainer, 1);
      const [sc] = await run(c.trainer, 1);
      expect(sb.stepLosses).toEqual(sa.stepLosses);
      // Uniform weights give another loss on the same batch (min-SNR weighs small t down).
      expect(sc.stepLosses[0]).not.toBeCloseTo(sa.stepLosses[0], 4);
      b.trainer.setLossWeighting('uniform');
      c.trainer.setLossWeighting('uniform');
      const [sb2] = await run(b.trainer, 1);
      const [sc2] = await run(c.trainer, 1);
      // Same batch and t for both from here; their weights differ only by the first update.
      expect(sb2.stepLosses[0]).toBeCloseTo(sc2.stepLosses[0], 1);
    } finally {
      a.dispose();
      b.dispose();
      c.dispose();
    }
  });
});
