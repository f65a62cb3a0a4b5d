// The worker's "train the classifier here" calls: the trained classifier takes over guidance
// only when done; a cancelled run, a second concurrent run or a missing model change nothing.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initWasmForTests } from '../engine/backends/testing';
import type { DatasetCache } from '../engine/datasetCache';
import { barsDataset } from '../engine/judge/testing';
import { GuidingClassifiers } from '../engine/playground/guidingClassifier';
import { createNoisyClassifierApi, type NoisyClassifierApiDeps } from './noisyClassifierApi';

const SCHEDULE = { kind: 'linear' as const, T: 1000, scaled: false };
const SMALL = { seconds: 30, batch: 16, testImages: 12, buckets: 2 };
const MODEL = { dataset: 'mnist', imageSize: 8, inChannels: 1, numClasses: 3, schedule: SCHEDULE };

function setup(
  model: { dataset: string; schedule: typeof SCHEDULE } | null = {
    dataset: 'mnist',
    schedule: SCHEDULE,
  },
) {
  const guiding = new GuidingClassifiers(async () => {
    throw new Error('no shipped classifier in this test');
  });
  const data = { train: barsDataset(48), test: barsDataset(12, 5) };
  const datasets = { get: async (_: string, split: 'train' | 'test') => data[split] };
  let stops = 0;
  const deps: NoisyClassifierApiDeps = {
    guiding,
    datasets: () => datasets as unknown as DatasetCache,
    backendReady: async () => undefined,
    modelInUse: async () => model,
    stopGuidedRuns: async () => void stops++,
  };
  return { guiding, api: createNoisyClassifierApi(deps), stops: () => stops };
}

beforeAll(async () => {
  await initWasmForTests();
});

describe('createNoisyClassifierApi', () => {
  it('trains, installs the classifier, replaces it on a second run (the first is freed after guided runs stop), and reverts', async () => {
    const before = tf.memory().numTensors;
    const { guiding, api, stops } = setup();
    expect(await api.noisyClassifierInfo('mnist')).toBeNull();
    const phases: string[] = [];
    const info = await api.trainNoisyClassifier(SMALL, (e) => void phases.push(e.phase));
    expect(info).toMatchObject({ origin: 'browser', steps: 3, trainImages: 48 });
    expect(info?.accuracyByT).toHaveLength(2);
    expect(phases).toContain('training');
    expect(phases[phases.length - 1]).toBe('measuring');
    expect(await api.noisyClassifierInfo('mnist')).toEqual(info);
    expect((await guiding.forModel(MODEL)).origin).toBe('browser');
    expect(stops()).toBe(0);
    const withOne = tf.memory().numTensors;

    await api.trainNoisyClassifier(SMALL, () => undefined);
    expect(stops()).toBe(1);
    // The first classifier was freed: one classifier's tensors, as before.
    expect(tf.memory().numTensors).toBe(withOne);
    await api.useShippedNoisyClassifier('mnist');
    expect(stops()).toBe(2);
    await expect(guiding.forModel(MODEL)).rejects.toThrow('no shipped classifier');
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);

  it('a cancelled run resolves null and leaves guidance as it was; one run at a time', async () => {
    const before = tf.memory().numTensors;
    const { api } = setup();
    const run = api.trainNoisyClassifier(SMALL, () => undefined);
    await expect(api.trainNoisyClassifier(SMALL, () => undefined)).rejects.toThrow(
      /already being trained/,
    );
    await api.cancelNoisyClassifierTraining();
    expect(await run).toBeNull();
    expect(await api.noisyClassifierInfo('mnist')).toBeNull();
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);

  it('needs a model in use, and refuses a bad request', async () => {
    await expect(setup(null).api.trainNoisyClassifier(SMALL, () => undefined)).rejects.toThrow(
      /no model yet/,
    );
    const { api } = setup();
    await expect(api.trainNoisyClassifier({ seconds: -1 }, () => undefined)).rejects.toThrow(
      RangeError,
    );
    // The refusal released the run: the next one may start.
    expect(await api.trainNoisyClassifier(SMALL, () => undefined)).not.toBeNull();
  }, 60_000);
});
