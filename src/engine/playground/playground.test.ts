// The worker's controllers end to end in Node (wasm): a model, live training with previews,
// stepwise sampling from the EMA weights, and checkpoint round trips that never harm the model in use.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initWasmForTests } from '../backends/testing';
import { fsSource } from '../../data/fsSource';
import { loadDataset, type Dataset } from '../../data/dataset';
import { packCheckpoint, unpackCheckpoint, CheckpointError } from '../checkpoint';
import { ModelSlot } from './modelSlot';
import { TrainingController, type TrainingEvent } from './trainingController';
import { SamplingController } from './samplingController';
import { leaseOwnWeights } from './weights';
import { encodeModelInUse } from './checkpoints';

let mnist: Dataset;
const CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

beforeAll(async () => {
  await initWasmForTests();
  mnist = await loadDataset(fsSource('public/data'), 'mnist', 'train', { limit: 64 });
});

async function firstWeights(slot: ModelSlot): Promise<number[]> {
  return Array.from(await slot.model.params.get('conv_in.w')!.data());
}

describe('playground controllers', () => {
  it('trains with progress and previews, samples from EMA, saves and reloads', async () => {
    const baseline = tf.memory().numTensors;
    const slot = new ModelSlot();
    const training = new TrainingController(slot, async () => mnist);
    const sampling = new SamplingController();
    slot.onReplace = async () => {
      sampling.stop();
      await training.stop();
    };
    const info = await slot.create('mnist', 'tiny', CLASSES, {
      schedule: { kind: 'linear', T: 100 },
    });
    expect(info.numParams).toBeGreaterThan(1000);
    expect(info.classNames).toEqual(CLASSES);

    const events: TrainingEvent[] = [];
    training.setListener((e) => events.push(e));
    const config = {
      batchSize: 4,
      learningRate: 2e-3,
      pUncond: 0.1,
      targetSteps: 6,
      reportEvery: 2,
      warmupSteps: 2,
      previewEvery: 3,
      previewCount: 4,
      previewSteps: 3,
    };
    expect(training.lossWeighting).toBeNull();
    const first = await training.stepOnce(config);
    expect(first.step).toBe(1);
    expect(training.lossWeighting).toBe('uniform');
    // The run continues (same trainer, same optimiser state) with min-SNR weights from here.
    await training.start({ ...config, lossWeighting: 'min-snr' as const });
    expect(training.lossWeighting).toBe('min-snr');
    await expect.poll(() => training.state, { timeout: 60_000, interval: 50 }).toBe('finished');
    await expect
      .poll(() => events.some((e) => e.type === 'preview'), { timeout: 30_000, interval: 50 })
      .toBe(true);
    const progress = events.filter((e) => e.type === 'progress');
    expect(progress.length).toBeGreaterThanOrEqual(3);
    const preview = events.find((e) => e.type === 'preview');
    if (preview?.type !== 'preview') throw new Error('no preview');
    expect(preview.preview.shape).toEqual([4, 28, 28, 1]);
    expect(preview.preview.classes).toEqual([0, 1, 2, 3]);
    // Step 3 of a fresh run: the EMA (decay 0.999) has not warmed up, the raw weights draw it.
    expect(preview.preview.weights).toBe('raw');
    expect(preview.preview.emaFromStep).toBe(1000);
    expect(slot.info?.trainingSteps).toBe(6);

    // Sampling with guidance from the EMA weights: both predictions come back, per step.
    const lease = training.emaLease();
    expect(lease).not.toBeNull();
    const start = await sampling.start(lease!, slot.schedule, {
      n: 2,
      sampler: 'ddim',
      steps: 4,
      classes: [3, 7],
      seed: 5,
      guidanceScale: 3,
    });
    expect(start.stepsDone).toBe(0);
    expect(start.xt).toBeNull();
    const f1 = await sampling.advance(1);
    expect(f1.stepsDone).toBe(1);
    expect(f1.guided).toBe(true);
    expect(f1.epsCond?.length).toBe(2 * 28 * 28);
    expect(f1.epsUncond?.length).toBe(2 * 28 * 28);
    sampling.setGuidanceScale(1);
    const f2 = await sampling.advance(10);
    expect(f2.done).toBe(true);
    expect(f2.stepsDone).toBe(4);
    expect(f2.guidanceScale).toBe(1);
    expect(f2.guided).toBe(false);
    sampling.stop();

    // Save (EMA weights while training) and load back through the single-file pack.
    const encoded = await encodeModelInUse(slot, training);
    expect(encoded.modelJson.ema).toBe(true);
    expect(encoded.modelJson.trainingSteps).toBe(6);
    const bytes = packCheckpoint(encoded);
    const before = await firstWeights(slot);

    // A corrupt file is rejected and the model in use (and its training) stays.
    const corrupt = bytes.slice(0, bytes.length - 10);
    await expect(slot.load(unpackCheckpoint(corrupt), 'corrupt')).rejects.toBeInstanceOf(
      CheckpointError,
    );
    expect(await firstWeights(slot)).toEqual(before);
    expect(training.state).toBe('finished');

    const loaded = await slot.load(unpackCheckpoint(bytes), 'round trip');
    expect(loaded.origin).toBe('checkpoint');
    expect(loaded.ema).toBe(true);
    expect(training.state).toBe('idle');
    const f = await sampling.start(leaseOwnWeights(slot.model), slot.schedule, {
      n: 1,
      sampler: 'ddpm',
      classes: null,
      seed: 1,
      guidanceScale: 1,
    });
    expect(f.totalSteps).toBe(100);
    sampling.stop();
    slot.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
  }, 120_000);

  it('two starts in flight at once build one trainer: Pause stops the only loop', async () => {
    const baseline = tf.memory().numTensors;
    const slot = new ModelSlot();
    let dataLoads = 0;
    // A slow data load keeps the first start in flight while the second arrives.
    const training = new TrainingController(slot, async () => {
      dataLoads += 1;
      await new Promise((r) => setTimeout(r, 50));
      return mnist;
    });
    slot.onReplace = () => training.stop();
    await slot.create('mnist', 'tiny', CLASSES, { schedule: { kind: 'linear', T: 100 } });
    const states: string[] = [];
    training.setListener((e) => {
      if (e.type === 'state') states.push(e.state);
    });
    const config = { batchSize: 2, learningRate: 1e-3, pUncond: 0.1, targetSteps: 1000 };
    await Promise.all([training.start(config), training.start(config)]);
    expect(dataLoads).toBe(1);
    await expect
      .poll(() => training.stepCount, { timeout: 30_000, interval: 20 })
      .toBeGreaterThan(1);
    await training.pause();
    expect(training.state).toBe('paused');
    const stopped = training.stepCount;
    await new Promise((r) => setTimeout(r, 300));
    expect(training.stepCount).toBe(stopped);
    expect(states.filter((s) => s === 'running')).toHaveLength(1);
    await training.stop();
    slot.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
  }, 60_000);
});
