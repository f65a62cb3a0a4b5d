// models/cifar10-noisy-classifier, the classifier that guides the CIFAR-10 model: it loads, fits
// the shipped cifar10-cfg, and on real test photos it is far above chance at small t and near
// chance at t → T (README: 47% at t < 200, 11% at t ≥ 900 on 2 000 photos per bucket).
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DATA_DIR, REPO_ROOT } from '../../cli/paths';
import { loadDataset } from '../../data/dataset';
import { fsSource } from '../../data/fsSource';
import { makeSchedule } from '../../diffusion/schedule';
import { initWasmForTests } from '../backends/testing';
import { loadCheckpointDir } from '../checkpoint/fsStore';
import { decodeCheckpoint } from '../checkpoint';
import { accuracyByTimestep } from './accuracyByT';
import { createNoisyClassifier, decodeNoisyClassifier } from './checkpoint';
import { classifierMismatch } from './compat';
import { loadNoisyClassifierDir } from './fsStore';

beforeAll(async () => {
  await initWasmForTests();
});

describe('models/cifar10-noisy-classifier', () => {
  it('guides cifar10-cfg and tells classes apart at small t, not at t → T', async () => {
    const before = tf.memory().numTensors;
    const raw = await loadNoisyClassifierDir(
      path.join(REPO_ROOT, 'models', 'cifar10-noisy-classifier'),
    );
    const decoded = decodeNoisyClassifier(raw.modelJson, raw.weights);
    const model = await loadCheckpointDir(path.join(REPO_ROOT, 'models', 'cifar10-cfg'));
    const { manifest } = await decodeCheckpoint(model.modelJson, model.weights);
    expect(
      classifierMismatch(decoded.manifest, {
        dataset: manifest.dataset,
        imageSize: manifest.modelConfig.imageSize,
        inChannels: manifest.modelConfig.inChannels,
        numClasses: manifest.modelConfig.numClasses,
        schedule: manifest.schedule,
      }),
    ).toBeNull();
    const classifier = createNoisyClassifier(decoded);
    const test = await loadDataset(fsSource(DEFAULT_DATA_DIR), 'cifar10', 'test', { limit: 100 });
    const rows = await accuracyByTimestep(
      classifier,
      test,
      makeSchedule(decoded.manifest.schedule),
      {
        buckets: 10,
        limit: 100,
      },
    );
    classifier.dispose();
    expect(rows[0].accuracy).toBeGreaterThanOrEqual(0.3);
    expect(rows[9].accuracy).toBeLessThanOrEqual(0.25);
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);
});
