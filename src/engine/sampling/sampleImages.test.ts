// sampleImages' progress reports and cancellation (wasm, MNIST tiny preset, T = 20).
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { makeSchedule } from '../../diffusion/schedule';
import { getPreset } from '../../model/presets';
import { UNet } from '../../model/unet';
import { initWasmForTests } from '../backends/testing';
import { sampleImages, type SampleImagesProgress } from './sampleImages';
import { runSlice } from './sliceRun';
import { servePeerEps, type EpsPeer } from './splitEps';

const schedule = makeSchedule({ kind: 'linear', T: 20 });
let model: UNet;

beforeAll(async () => {
  await initWasmForTests();
  model = UNet.create(getPreset('mnist', 'tiny'), { seed: 3, zeroInit: false });
});

afterAll(() => model.dispose());

const opts = { n: 3, sampler: 'ddim' as const, steps: 2, classes: [1, 2, 3], seed: 5, batch: 2 };

describe('sampleImages', () => {
  it('reports every step of every batch', async () => {
    const seen: SampleImagesProgress[] = [];
    await sampleImages(model, schedule, { ...opts, onProgress: (p) => void seen.push(p) });
    expect(seen).toEqual([
      { imagesDone: 0, n: 3, stepsDone: 1, totalSteps: 2 },
      { imagesDone: 0, n: 3, stepsDone: 2, totalSteps: 2 },
      { imagesDone: 2, n: 3, stepsDone: 1, totalSteps: 2 },
      { imagesDone: 2, n: 3, stepsDone: 2, totalSteps: 2 },
    ]);
  });

  it('stops after the step in which the signal is aborted, freeing its tensors', async () => {
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    let steps = 0;
    const apply = vi.spyOn(model, 'apply');
    const run = sampleImages(model, schedule, {
      ...opts,
      steps: 6,
      signal: controller.signal,
      onProgress: () => {
        steps++;
        if (steps === 1) controller.abort(new Error('stop please'));
      },
    });
    await expect(run).rejects.toThrow('stop please');
    expect(steps).toBe(1);
    // No network pass after the abort: the one step that reported is the only one that ran.
    // (Plain conditional sampling: one pass per step.)
    const passes = apply.mock.calls.length;
    apply.mockRestore();
    expect(passes).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
    const aborted = AbortSignal.abort();
    await expect(sampleImages(model, schedule, { ...opts, signal: aborted })).rejects.toThrow();
  });

  it('gives the same images with sampling workers sharing each batch', async () => {
    const alone = await sampleImages(model, schedule, { ...opts, guidanceScale: 2 });
    let requests = 0;
    let runs = 0;
    const peer: EpsPeer = {
      ready: () => true,
      predict: (req) => {
        requests++;
        return servePeerEps(model, req);
      },
      runSteps: (req, onStep) => {
        runs++;
        return runSlice(model, req, onStep);
      },
    };
    const shared = await sampleImages(model, schedule, {
      ...opts,
      guidanceScale: 2,
      peers: { peers: [peer], computeHere: true },
    });
    expect(shared).toEqual(alone);
    // Two batches (2 + 1 images) of two steps: the peer takes its image of the first batch
    // through both steps at once; the one-image batch is computed here alone.
    expect(requests).toBe(0);
    expect(runs).toBe(1);
  });
});
