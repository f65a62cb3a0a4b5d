import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initWasmForTests } from '../backends/testing';
import { barsDataset } from '../judge/testing';
import {
  browserClassifierConfig,
  checkNoisyClassifierTraining,
  trainNoisyClassifierInBrowser,
  type NoisyClassifierTrainingEvent,
  type NoisyClassifierTrainingRequest,
} from './browserTraining';

const LINEAR = { kind: 'linear' as const, T: 1000, scaled: false };
const REQ: NoisyClassifierTrainingRequest = {
  seconds: 120,
  images: 480,
  batch: 16,
  learningRate: 1e-2,
  seed: 1,
  testImages: 60,
  buckets: 10,
};

// wasm, as the browser runs it (and several times faster here than the cpu backend).
beforeAll(async () => {
  await initWasmForTests();
});

describe('trainNoisyClassifierInBrowser', () => {
  it('trains one epoch, reports progress, measures accuracy per t: high at small t, near chance at t → T; no leaks', async () => {
    const before = tf.memory().numTensors;
    const events: NoisyClassifierTrainingEvent[] = [];
    const got = await trainNoisyClassifierInBrowser(
      barsDataset(2000),
      barsDataset(60, 7),
      LINEAR,
      REQ,
      (e) => void events.push(e),
    );
    expect(got).not.toBeNull();
    const { classifier, meta } = got!;
    // One epoch over the first 480 images: 30 steps, a readback every 5.
    const training = events.filter((e) => e.phase === 'training');
    expect(training.map((e) => e.step)).toEqual([5, 10, 15, 20, 25, 30]);
    expect(training.every((e) => e.totalSteps === 30 && Number.isFinite(e.loss))).toBe(true);
    expect(training[5].loss!).toBeLessThan(training[0].loss!);
    expect(events[events.length - 1]).toMatchObject({ phase: 'measuring', step: 30 });
    expect(meta).toMatchObject({
      dataset: 'mnist',
      schedule: LINEAR,
      noisyClassifierConfig: { imageSize: 8, inChannels: 1, numClasses: 3 },
      training: { steps: 30, epochs: 1, batch: 16, trainImages: 480, machine: 'this browser' },
    });
    const acc = meta.accuracyByT!;
    expect(acc.map((r) => [r.tFrom, r.tTo])).toEqual(
      Array.from({ length: 10 }, (_, b) => [100 * b, 100 * (b + 1)]),
    );
    expect(acc.every((r) => r.count === 60)).toBe(true);
    expect(acc[0].accuracy).toBeGreaterThanOrEqual(0.8);
    expect(acc[9].accuracy).toBeLessThanOrEqual(0.6);
    classifier.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);

  it('stops when asked: resolves null and frees everything', async () => {
    const before = tf.memory().numTensors;
    let polls = 0;
    const got = await trainNoisyClassifierInBrowser(
      barsDataset(200),
      barsDataset(30, 7),
      LINEAR,
      { ...REQ, images: 200 },
      () => undefined,
      () => ++polls > 3,
    );
    expect(got).toBeNull();
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);

  it('rejects a NaN loss with a clear message and frees everything', async () => {
    const before = tf.memory().numTensors;
    const bad = barsDataset(64);
    bad.floats = new Float32Array(64 * 64).fill(Number.NaN);
    await expect(
      trainNoisyClassifierInBrowser(
        bad,
        barsDataset(30, 7),
        LINEAR,
        { ...REQ, images: 64 },
        () => undefined,
      ),
    ).rejects.toThrow(/loss is NaN/);
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);

  it('refuses a bad request before any work', () => {
    for (const bad of [
      { seconds: 0 },
      { seconds: Number.NaN },
      { images: 0 },
      { batch: 1.5 },
      { learningRate: 0 },
      { buckets: 0 },
    ]) {
      expect(() => checkNoisyClassifierTraining({ ...REQ, ...bad })).toThrow(RangeError);
    }
    expect(() => checkNoisyClassifierTraining(REQ)).not.toThrow();
  });

  it('takes the image size and classes of the data set', () => {
    expect(browserClassifierConfig(barsDataset(3))).toMatchObject({
      imageSize: 8,
      inChannels: 1,
      numClasses: 3,
      channels: [16, 32],
    });
  });
});
