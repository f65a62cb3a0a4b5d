// compareGuidance on the wasm backend: a random tiny U-Net (T = 20, 2 DDIM steps), a random
// narrow judge (reference statistics from 200 real MNIST test images) and a random noise-aware
// classifier. Both curves must start from the same noise and classes: at s = 0 classifier-free
// guidance is ε_u and classifier guidance is ε_u too, so the two s = 0 samples are the same.
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../data/dataset';
import { fsSource } from '../../data/fsSource';
import { makeSchedule } from '../../diffusion/schedule';
import { Classifier } from '../../model/classifier';
import { NoisyClassifier } from '../../model/noisyClassifier';
import { getPreset } from '../../model/presets';
import { UNet } from '../../model/unet';
import { initWasmForTests } from '../backends/testing';
import { measureOnDataset } from '../judge/testSet';
import type { ReferenceStats } from '../judge/types';
import { compareGuidance, type ComparedMethod } from './compareGuidance';
import { evaluateGuidance, type EvaluationProgress } from './evaluateGuidance';

const DATA = fileURLToPath(new URL('../../../public/data/', import.meta.url));
const schedule = makeSchedule({ kind: 'linear', T: 20 });
let unet: UNet;
let judge: Classifier;
let noisy: NoisyClassifier;
let reference: ReferenceStats;

beforeAll(async () => {
  await initWasmForTests();
  unet = UNet.create(getPreset('mnist', 'tiny'), { seed: 3, zeroInit: false });
  judge = Classifier.create(
    { imageSize: 28, inChannels: 1, numClasses: 10, channels: [2, 4], featureDim: 6 },
    { seed: 1 },
  );
  noisy = NoisyClassifier.create(
    { imageSize: 28, inChannels: 1, numClasses: 10, channels: [2, 4], timeEmbedDim: 8 },
    { seed: 4 },
  );
  const test = await loadDataset(fsSource(DATA), 'mnist', 'test', { limit: 200 });
  reference = (await measureOnDataset(judge, test, '00000000')).reference;
});

afterAll(() => {
  unet.dispose();
  judge.dispose();
  noisy.dispose();
});

const common = () => ({
  unet,
  schedule,
  judge,
  reference,
  samplesPerScale: 20,
  steps: 2,
  seed: 7,
  batch: 10,
  keepImages: 20,
  classifier: noisy,
});

describe('compareGuidance', () => {
  it('measures both methods from the same noise and classes; no tensor leaks', async () => {
    const before = tf.memory().numTensors;
    const streamed: [ComparedMethod, number][] = [];
    const progress: EvaluationProgress[] = [];
    const r = await compareGuidance({
      ...common(),
      cfgScales: [0, 3],
      classifierScales: [0, 20],
      onScale: (m, s) => void streamed.push([m, s.guidanceScale]),
      onProgress: (_m, p) => void progress.push(p),
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(streamed).toEqual([
      ['classifier-free', 0],
      ['classifier-free', 3],
      ['classifier', 0],
      ['classifier', 20],
    ]);
    expect(r.classifierFree.settings.guidanceMethod).toBe('classifier-free');
    expect(r.classifier.settings.guidanceMethod).toBe('classifier');
    expect(r.classifier.settings.seed).toBe(r.classifierFree.settings.seed);
    // s = 0 of either method is the unconditional model from the same x_T: the same images.
    const cfg0 = r.classifierFree.results[0].images;
    const cg0 = r.classifier.results[0].images;
    expect(cg0.length).toBe(20 * 28 * 28);
    let worst = 0;
    cfg0.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - cg0[i]))));
    expect(worst).toBeLessThan(1e-4);
    expect([...r.classifier.results[0].labels]).toEqual([...r.classifierFree.results[0].labels]);
    // The guided curves differ from s = 0 (the gradient is not zero).
    const cg20 = r.classifier.results[1].images;
    let moved = 0;
    cg20.forEach((v, i) => (moved = Math.max(moved, Math.abs(v - cg0[i]))));
    expect(moved).toBeGreaterThan(1e-3);
    // One progress bar for the whole run: rising to 1 over both curves.
    progress.slice(1).forEach((p, i) => expect(p.fraction).toBeGreaterThan(progress[i].fraction));
    expect(progress[progress.length - 1].fraction).toBeCloseTo(1, 12);
    expect(progress[progress.length / 2 - 1].fraction).toBeCloseTo(0.5, 12);
  }, 90_000);

  it('gives each curve what evaluateGuidance gives for that method alone', async () => {
    const r = await compareGuidance({ ...common(), cfgScales: [2], classifierScales: [5] });
    const alone = await evaluateGuidance({
      ...common(),
      scales: [5],
      guidanceMethod: 'classifier',
    });
    expect(Array.from(r.classifier.results[0].images)).toEqual(Array.from(alone.results[0].images));
    expect(r.classifier.results[0].frechetDistance).toBe(alone.results[0].frechetDistance);
  }, 90_000);

  it('refuses a run without a scale of each method', async () => {
    await expect(
      compareGuidance({ ...common(), cfgScales: [], classifierScales: [1] }),
    ).rejects.toThrow(/one scale of each/);
  });
});
