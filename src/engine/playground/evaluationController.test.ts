// The evaluation controller on the wasm backend: a random tiny U-Net (T = 20, 2 DDIM steps)
// scored by a random narrow judge, served from memory as the worker would fetch it. Every run,
// finished, cancelled or failed, leaves the tensor count where it was.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../../data/dataset';
import { makeSchedule } from '../../diffusion/schedule';
import { Classifier, type ClassifierConfig } from '../../model/classifier';
import { getPreset } from '../../model/presets';
import { UNet } from '../../model/unet';
import { NoisyClassifier } from '../../model/noisyClassifier';
import { initWasmForTests } from '../backends/testing';
import { encodeClassifier } from '../judge/checkpoint';
import { referenceStatsText } from '../judge/referenceStats';
import { measureOnDataset } from '../judge/testSet';
import type { RawJudge } from '../judge/types';
import {
  EvaluationController,
  judgeFolder,
  type EvaluationEvent,
  type EvaluationRequest,
} from './evaluationController';
import { leaseSnapshotWeights } from './weights';
import type { SamplerEvaluationEvent, SamplerEvaluationRequest } from './samplerEvaluation';

const JUDGE: ClassifierConfig = {
  imageSize: 28,
  inChannels: 1,
  numClasses: 10,
  channels: [2, 4],
  featureDim: 6,
};
const CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
const schedule = makeSchedule({ kind: 'linear', T: 20 });
const REQ: EvaluationRequest = { scales: [0, 3], samplesPerScale: 20, steps: 2, seed: 5 };
let unet: UNet;
let raw: RawJudge;

/** count random 28x28 "digits", labels i mod 10: enough for reference statistics. */
function noiseDataset(count: number): Dataset {
  let s = 12345;
  const images = Uint8Array.from({ length: count * 784 }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s >>> 24;
  });
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
  return {
    name: 'mnist',
    split: 'test',
    height: 28,
    width: 28,
    channels: 1,
    classNames: CLASSES,
    count,
    images,
    labels,
  };
}

beforeAll(async () => {
  await initWasmForTests();
  unet = UNet.create(getPreset('mnist', 'tiny'), { seed: 3, zeroInit: false });
  const judge = Classifier.create(JUDGE, { seed: 1 });
  const encoded = await encodeClassifier(judge, {
    classifierConfig: JUDGE,
    dataset: 'mnist',
    classNames: CLASSES,
    testAccuracy: { overall: 0.9934, perClass: new Array<number>(10).fill(0.99), count: 10_000 },
  });
  const crc = encoded.modelJson.weightsCrc32 ?? '';
  const { reference } = await measureOnDataset(judge, noiseDataset(40), crc);
  judge.dispose();
  raw = {
    modelJson: JSON.parse(JSON.stringify(encoded.modelJson)) as unknown,
    weights: encoded.weights,
    referenceStats: JSON.parse(referenceStatsText(reference)) as unknown,
  };
});

afterAll(() => unet.dispose());

/** A judge source that counts its downloads and can be made to fail. */
function source(opts: { fail?: number } = {}) {
  const calls = { count: 0 };
  let failures = opts.fail ?? 0;
  const fetchJudge = async (): Promise<RawJudge> => {
    calls.count++;
    if (failures-- > 0)
      throw new Error('cannot fetch models/mnist-classifier/weights.bin: HTTP 404');
    return raw;
  };
  return { calls, fetchJudge };
}

const target = (dataset = 'mnist') => ({ lease: leaseSnapshotWeights(unet), schedule, dataset });

describe('EvaluationController', () => {
  it('reports the judge, progress and each scale; frees every tensor; fetches the judge once', async () => {
    const before = tf.memory().numTensors;
    const { calls, fetchJudge } = source();
    const controller = new EvaluationController(fetchJudge);
    const events: EvaluationEvent[] = [];
    const summary = await controller.run(target(), REQ, (e) => events.push(e));
    expect(tf.memory().numTensors).toBe(before);
    expect(controller.running).toBe(false);

    expect(events[0]).toMatchObject({
      type: 'judge',
      judge: { dataset: 'mnist', featureDim: 6, referenceCount: 40, referenceSplit: 'test' },
    });
    const first = events[0];
    if (first.type === 'judge') expect(first.judge.testAccuracy?.overall).toBe(0.9934);
    const scales = events.flatMap((e) => (e.type === 'scale' ? [e.result] : []));
    expect(scales.map((r) => r.guidanceScale)).toEqual([0, 3]);
    for (const r of scales) {
      // One image per class by default: labels 0..9.
      expect(r.images.length).toBe(10 * 784);
      expect([...r.labels]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(r.accuracy.perClass).toHaveLength(10);
    }
    const progress = events.flatMap((e) => (e.type === 'progress' ? [e.progress] : []));
    expect(progress.length).toBe(2 * 2); // 2 scales x 1 batch of 20 x 2 steps
    expect(progress[progress.length - 1].fraction).toBeCloseTo(1, 12);

    expect(summary.settings).toMatchObject({ steps: 2, seed: 5, samplesPerScale: 20, eta: 0 });
    expect(summary.results.map((r) => r.guidanceScale)).toEqual([0, 3]);
    expect(summary.results[0]).not.toHaveProperty('images');
    expect(summary.results[1].frechetDistance).toBe(scales[1].frechetDistance);

    await controller.run(target(), { ...REQ, scales: [1], keepImages: 0 }, () => {});
    expect(calls.count).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);

  it('measures quality against NFE per sampler (same noise), frees everything, rejects bad budgets', async () => {
    const before = tf.memory().numTensors;
    const controller = new EvaluationController(source().fetchJudge);
    const events: SamplerEvaluationEvent[] = [];
    const req: SamplerEvaluationRequest = {
      samplers: ['ddim', 'pf-ode', 'pc'],
      budgets: [2, 4],
      samples: 20,
      guidanceScale: 3,
      seed: 5,
    };
    const results = await controller.runSamplers(target(), req, (e) => events.push(e));
    expect(tf.memory().numTensors).toBe(before);
    expect(results.map((r) => `${r.sampler}:${r.nfe}:${r.steps}`)).toEqual([
      'ddim:2:2',
      'pf-ode:1:1',
      'pc:2:1',
      'ddim:4:4',
      'pf-ode:3:2',
      'pc:4:2',
    ]);
    for (const r of results) {
      expect(r.accuracy).toBeGreaterThanOrEqual(0);
      expect(r.accuracy).toBeLessThanOrEqual(1);
      expect(r.frechetDistance).toBeGreaterThan(0);
    }
    expect(events.filter((e) => e.type === 'result')).toHaveLength(6);
    const last = events.filter((e) => e.type === 'progress').pop();
    expect(last?.type === 'progress' && last.fraction).toBeCloseTo(1, 12);
    await expect(
      controller.runSamplers(target(), { ...req, budgets: [0] }, () => {}),
    ).rejects.toThrow(/NFE budgets/);
    await expect(
      controller.runSamplers(target(), { ...req, samplers: ['ddpm' as 'ddim'] }, () => {}),
    ).rejects.toThrow(/samplers must be some of/);
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);

  it('samples from a snapshot that outlives the model it was taken from', async () => {
    const before = tf.memory().numTensors;
    const doomed = UNet.create(getPreset('mnist', 'tiny'), { seed: 3, zeroInit: false });
    const lease = leaseSnapshotWeights(doomed);
    doomed.dispose(); // as a model swap would, mid-run
    const controller = new EvaluationController(source().fetchJudge);
    const scales: number[] = [];
    const r = await controller.run({ lease, schedule, dataset: 'mnist' }, REQ, (e) => {
      if (e.type === 'scale') scales.push(e.result.frechetDistance);
    });
    // The same weights as `unet` (same seed): the same numbers as the first test's model.
    const again = await controller.run(target(), REQ, () => {});
    expect(r.results.map((x) => x.frechetDistance)).toEqual(
      again.results.map((x) => x.frechetDistance),
    );
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);

  it('cancels between steps, frees everything and can run again', async () => {
    const before = tf.memory().numTensors;
    const controller = new EvaluationController(source().fetchJudge);
    const run = controller.run(target(), REQ, (e) => {
      if (e.type === 'progress' && e.progress.stepsDone === 1) controller.cancel('stopped by you');
    });
    await expect(run).rejects.toMatchObject({
      name: 'EvaluationCancelled',
      message: 'stopped by you',
    });
    expect(controller.running).toBe(false);
    expect(tf.memory().numTensors).toBe(before);
    await expect(controller.run(target(), { ...REQ, scales: [2] }, () => {})).resolves.toBeTruthy();
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);

  it('measures classifier-free and classifier guidance side by side in one run (both)', async () => {
    const noisy = NoisyClassifier.create(
      { imageSize: 28, inChannels: 1, numClasses: 10, channels: [2, 4], timeEmbedDim: 8 },
      { seed: 4 },
    );
    const before = tf.memory().numTensors;
    const controller = new EvaluationController(source().fetchJudge);
    const events: EvaluationEvent[] = [];
    const summary = await controller.run(
      { ...target(), classifier: noisy },
      { ...REQ, guidanceMethod: 'both', classifierScales: [0, 10] },
      (e) => events.push(e),
    );
    expect(tf.memory().numTensors).toBe(before);
    const scales = events.flatMap((e) =>
      e.type === 'scale' ? [[e.method, e.result.guidanceScale]] : [],
    );
    expect(scales).toEqual([
      ['classifier-free', 0],
      ['classifier-free', 3],
      ['classifier', 0],
      ['classifier', 10],
    ]);
    expect(summary.settings.guidanceMethod).toBe('classifier-free');
    expect(summary.classifierCurve?.settings.guidanceMethod).toBe('classifier');
    expect(summary.classifierCurve?.results.map((r) => r.guidanceScale)).toEqual([0, 10]);
    const progress = events.flatMap((e) => (e.type === 'progress' ? [e.progress.fraction] : []));
    expect(progress).toHaveLength(4 * 2);
    expect(progress[progress.length - 1]).toBeCloseTo(1, 12);
    // Without the classifier scales, or without the classifier, it refuses before sampling.
    await expect(
      controller.run(
        { ...target(), classifier: noisy },
        { ...REQ, guidanceMethod: 'both' },
        () => {},
      ),
    ).rejects.toThrow(/classifier scales/);
    await expect(
      controller.run(target(), { ...REQ, guidanceMethod: 'both', classifierScales: [1] }, () => {}),
    ).rejects.toThrow(/noisy classifier/);
    expect(tf.memory().numTensors).toBe(before);
    noisy.dispose();
  }, 90_000);

  it('refuses a second run, a model the judge cannot score and bad settings, leaking nothing', async () => {
    const before = tf.memory().numTensors;
    const controller = new EvaluationController(source().fetchJudge);
    const first = controller.run(target(), REQ, () => {});
    await expect(controller.run(target(), REQ, () => {})).rejects.toThrow(/already running/);
    await controller.stop();
    await expect(first).rejects.toThrow(/cancelled/);
    await expect(controller.run(target('cifar10'), REQ, () => {})).rejects.toThrow(
      'the judge scores mnist images, but the model in use was trained on cifar10',
    );
    await expect(
      controller.run(target(), { ...REQ, samplesPerScale: 19 }, () => {}),
    ).rejects.toThrow(/samples per scale must be an integer in \[20, 1000\]/);
    await expect(controller.run(target(), { ...REQ, steps: 21 }, () => {})).rejects.toThrow(
      /DDIM steps must be an integer in \[1, 20\]/,
    );
    await expect(controller.run(target(), { ...REQ, scales: [] }, () => {})).rejects.toThrow(
      /guidance scales/,
    );
    await expect(controller.run(target(), { ...REQ, scales: [-1] }, () => {})).rejects.toThrow(
      /in \[0, 20\]/,
    );
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);

  it('says why the judge could not be loaded, and fetches it again next time', async () => {
    const before = tf.memory().numTensors;
    const { calls, fetchJudge } = source({ fail: 1 });
    const controller = new EvaluationController(fetchJudge);
    const events: EvaluationEvent[] = [];
    await expect(controller.run(target(), REQ, (e) => events.push(e))).rejects.toThrow(/HTTP 404/);
    expect(events).toEqual([]);
    expect(tf.memory().numTensors).toBe(before);
    await controller.run(target(), { ...REQ, scales: [1] }, () => {});
    expect(calls.count).toBe(2);
    // A corrupt file: its own message, nothing created.
    const bad = new EvaluationController(async () => ({
      ...raw,
      weights: raw.weights.slice(0, raw.weights.byteLength - 4),
    }));
    await expect(bad.run(target(), REQ, () => {})).rejects.toThrow(/weights/);
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);

  it("asks for the judge of the model's data set, once per data set", async () => {
    const asked: string[] = [];
    const controller = new EvaluationController(async (dataset) => {
      asked.push(dataset);
      return raw; // an MNIST judge, whatever was asked for
    });
    // The served judge scores MNIST: a CIFAR-10 model is refused with the reason.
    await expect(controller.run(target('cifar10'), REQ, () => {})).rejects.toThrow(
      /the judge scores mnist images, but the model in use was trained on cifar10/,
    );
    await controller.run(target('mnist'), { ...REQ, scales: [1] }, () => {});
    await controller.run(target('mnist'), { ...REQ, scales: [1] }, () => {});
    expect(asked).toEqual(['cifar10', 'mnist']);
    expect(judgeFolder('mnist')).toBe('mnist-classifier/');
    expect(judgeFolder('cifar10')).toBe('cifar10-classifier/');
    expect(() => judgeFolder('svhn')).toThrow(/no judge for svhn images/);
    expect(() => judgeFolder('toString')).toThrow(/no judge/);
  }, 60_000);
});
