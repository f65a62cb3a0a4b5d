// evaluateGuidance on the wasm backend: a random tiny U-Net (T = 20, 2 DDIM steps) judged by a
// random narrow classifier whose reference statistics come from real MNIST test images.
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../data/dataset';
import { fsSource } from '../../data/fsSource';
import { makeSchedule } from '../../diffusion/schedule';
import { Classifier, type ClassifierConfig } from '../../model/classifier';
import { getPreset } from '../../model/presets';
import { UNet } from '../../model/unet';
import { frechetDistance } from '../../metrics/frechet';
import { featureStats } from '../../metrics/featureStats';
import { initWasmForTests } from '../backends/testing';
import { judgeImages } from '../judge/outputs';
import { referenceStatsFrom } from '../judge/referenceStats';
import { measureOnDataset } from '../judge/testSet';
import type { ReferenceStats } from '../judge/types';
import { sampleImages } from '../sampling/sampleImages';
import {
  evaluateGuidance,
  GUIDANCE_CONVENTION,
  type EvaluateGuidanceOptions,
  type EvaluationProgress,
} from './evaluateGuidance';

const DATA = fileURLToPath(new URL('../../../public/data/', import.meta.url));
const JUDGE: ClassifierConfig = {
  imageSize: 28,
  inChannels: 1,
  numClasses: 10,
  channels: [2, 4],
  featureDim: 6,
};
const schedule = makeSchedule({ kind: 'linear', T: 20 });
let unet: UNet;
let judge: Classifier;
let reference: ReferenceStats;

beforeAll(async () => {
  await initWasmForTests();
  unet = UNet.create(getPreset('mnist', 'tiny'), { seed: 3, zeroInit: false });
  judge = Classifier.create(JUDGE, { seed: 1 });
  const test = await loadDataset(fsSource(DATA), 'mnist', 'test', { limit: 200 });
  reference = (await measureOnDataset(judge, test, '00000000')).reference;
});

afterAll(() => {
  unet.dispose();
  judge.dispose();
});

const base = (): EvaluateGuidanceOptions => ({
  unet,
  schedule,
  judge,
  reference,
  scales: [1, 3],
  samplesPerScale: 20,
  steps: 2,
  seed: 7,
  batch: 8,
});

describe('evaluateGuidance', () => {
  it('scores every scale: balanced classes, finite FD, diversity, timing; no tensor leaks', async () => {
    const before = tf.memory().numTensors;
    const progress: EvaluationProgress[] = [];
    const streamed: number[] = [];
    const r = await evaluateGuidance({
      ...base(),
      keepImages: 3,
      onProgress: (p) => void progress.push(p),
      onScale: (s) => void streamed.push(s.guidanceScale),
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.guidanceConvention).toBe(GUIDANCE_CONVENTION);
    expect(r.guidanceConvention).toMatch(/s = 0 is unconditional.*s = 1 is plain conditional/);
    expect(r.settings).toMatchObject({
      sampler: 'ddim',
      steps: 2,
      eta: 0,
      clipX0: true,
      seed: 7,
      batch: 8,
    });
    expect(r.settings.reference).toEqual({ dataset: 'mnist', split: 'test', count: 200 });
    expect(streamed).toEqual([1, 3]);
    expect(r.results.map((x) => x.guidanceScale)).toEqual([1, 3]);
    for (const x of r.results) {
      expect(x.samples).toBe(20);
      expect(x.accuracy.counts).toEqual(new Array(10).fill(2));
      expect(x.accuracy.overall).toBeGreaterThanOrEqual(0);
      expect(x.accuracy.overall).toBeLessThanOrEqual(1);
      expect(x.frechetDistance).toBeGreaterThan(0);
      expect(x.frechetDistance).toBeCloseTo(x.frechetMeanTerm + x.frechetCovTerm, 9);
      expect(x.diversity.perClass).toHaveLength(10);
      expect(x.seconds).toBeGreaterThan(0);
      expect(x.secondsPerImage).toBeCloseTo(x.seconds / 20, 12);
      expect(x.images.length).toBe(3 * 28 * 28);
      expect([...x.labels]).toEqual([0, 1, 2]);
    }
    // 2 scales × 3 batches (8, 8, 4) × 2 steps, fraction rising to 1.
    expect(progress).toHaveLength(12);
    expect(progress[11]).toMatchObject({ scaleIndex: 1, imagesDone: 16, stepsDone: 2 });
    expect(progress[11].fraction).toBeCloseTo(1, 12);
    progress.slice(1).forEach((p, i) => expect(p.fraction).toBeGreaterThan(progress[i].fraction));
  }, 60_000);

  it('samples exactly what sampleImages gives for the same seed, labels and scale', async () => {
    const r = await evaluateGuidance({ ...base(), scales: [2.5], keepImages: 20 });
    const labels = Array.from({ length: 20 }, (_, i) => i % 10);
    const x = await sampleImages(unet, schedule, {
      n: 20,
      sampler: 'ddim',
      steps: 2,
      classes: labels,
      seed: 7,
      guidanceScale: 2.5,
      batch: 8,
    });
    expect(Array.from(r.results[0].images)).toEqual(Array.from(x));
  }, 60_000);

  it('gives FD 0 and diversity 1 against reference statistics of its own samples', async () => {
    const first = await evaluateGuidance({ ...base(), scales: [0], keepImages: 20 });
    const out = await judgeImages(judge, first.results[0].images, 20);
    const own = referenceStatsFrom(out, first.results[0].labels, 10, {
      dataset: 'mnist',
      split: 'test',
      judgeWeightsCrc32: '00000000',
    });
    const again = await evaluateGuidance({ ...base(), scales: [0], reference: own });
    const x = again.results[0];
    expect(x.frechetDistance).toBeLessThan(1e-6);
    expect(x.diversity.perClass.every((v) => v === null || Math.abs(v - 1) < 1e-12)).toBe(true);
    expect(x.diversity.mean).toBeCloseTo(1, 12);
    // Against the real test images it is the FD of the two feature Gaussians.
    const real = first.results[0].frechetDistance;
    const d = 6;
    const realStats = {
      d,
      mean: Float64Array.from(reference.mean),
      cov: Float64Array.from(reference.cov.flat()),
    };
    expect(real).toBeCloseTo(frechetDistance(featureStats(out.features, 20, d), realStats), 9);
  }, 60_000);

  it('stops when the signal is aborted and frees everything', async () => {
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const run = evaluateGuidance({
      ...base(),
      signal: controller.signal,
      onProgress: (p) => {
        if (p.stepsDone === 1) controller.abort(new Error('cancelled by the user'));
      },
    });
    await expect(run).rejects.toThrow('cancelled by the user');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects a model, judge or sample count that do not fit', async () => {
    const uncond = { config: { ...unet.config, numClasses: 0 }, apply: unet.apply.bind(unet) };
    await expect(evaluateGuidance({ ...base(), unet: uncond })).rejects.toThrow(
      /model has 0 classes but the judge 10/,
    );
    await expect(evaluateGuidance({ ...base(), samplesPerScale: 19 })).rejects.toThrow(
      /samplesPerScale must be an integer >= 20/,
    );
    await expect(evaluateGuidance({ ...base(), scales: [] })).rejects.toThrow(/scales/);
    const other = { ...reference, featureDim: 5 };
    await expect(evaluateGuidance({ ...base(), reference: other })).rejects.toThrow(
      /another judge/,
    );
  });
});
