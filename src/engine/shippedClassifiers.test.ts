// The shipped classifiers load unchanged after the two classifiers were folded onto one trunk
// and one loop (stridedTrunk.ts, classifierLoop.ts, paramsFiles.ts): the logits of both on a fixed
// input equal those the code before the fold computed (commit cebb0ec, cpu backend).
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../cli/paths';
import { randomValues } from '../model/testUtil';
import { loadJudgeDir } from './judge/fsStore';
import { loadJudge } from './judge/load';
import { createNoisyClassifier, decodeNoisyClassifier } from './noisyClassifier/checkpoint';
import { loadNoisyClassifierDir } from './noisyClassifier/fsStore';
import { loadDataset } from '../data/dataset';
import { fsSource } from '../data/fsSource';
import { DEFAULT_DATA_DIR } from '../cli/paths';
import { measureOnDataset } from './judge/testSet';

// Printed by the pre-fold code for x = randomValues(2·784, 42) as [2, 28, 28, 1].
const JUDGE_LOGITS = [
  -2.176081, -10.998473, 1.716961, -0.478236, -9.151878, -5.746426, -5.919701, -15.35148, 10.258986,
  -5.715675, -1.778309, -11.530203, 0.796944, -0.042189, -11.002873, -3.949791, -5.05265,
  -15.419679, 10.000052, -6.185212,
];
const JUDGE_FEATURE_SUM = 174.507736;
// ... and with t = [10, 500].
const NOISY_LOGITS = [
  1.688126, -2.450809, 0.715506, -0.884591, -0.406239, -1.983738, -0.518872, -1.821494, 0.686616,
  -0.05596, 0.864686, -1.280683, -2.175296, 1.031817, -1.22858, 0.982756, -2.727654, -0.447267,
  1.289175, 0.599212,
];

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const x = () => tf.tensor4d(randomValues(2 * 784, 42), [2, 28, 28, 1]);

describe('the shipped classifiers', () => {
  it('models/mnist-classifier loads and scores as before', async () => {
    const judge = loadJudge(await loadJudgeDir(path.join(REPO_ROOT, 'models', 'mnist-classifier')));
    const input = x();
    const { logits, features } = judge.classifier.apply(input);
    const got = Array.from(await logits.data());
    got.forEach((v, i) => expect(v).toBeCloseTo(JUDGE_LOGITS[i], 4));
    const sum = tf.sum(features);
    expect((await sum.data())[0]).toBeCloseTo(JUDGE_FEATURE_SUM, 3);
    tf.dispose([input, logits, features, sum]);
    judge.classifier.dispose();
  });

  it('models/mnist-noisy-classifier loads and scores as before', async () => {
    const raw = await loadNoisyClassifierDir(
      path.join(REPO_ROOT, 'models', 'mnist-noisy-classifier'),
    );
    const model = createNoisyClassifier(decodeNoisyClassifier(raw.modelJson, raw.weights));
    const input = x();
    const t = tf.tensor1d([10, 500], 'int32');
    const logits = model.logits(input, t);
    const got = Array.from(await logits.data());
    got.forEach((v, i) => expect(v).toBeCloseTo(NOISY_LOGITS[i], 4));
    tf.dispose([input, t, logits]);
    model.dispose();
  });

  it('models/cifar10-classifier loads and recognises CIFAR-10 test photos', async () => {
    const judge = loadJudge(
      await loadJudgeDir(path.join(REPO_ROOT, 'models', 'cifar10-classifier')),
    );
    expect(judge.classifier.config).toMatchObject({ arch: 'vgg', inChannels: 3, imageSize: 32 });
    expect(judge.manifest.testAccuracy?.overall).toBeGreaterThan(0.75);
    expect(judge.reference).toMatchObject({ dataset: 'cifar10', count: 10_000, split: 'test' });
    // The first 200 test images again: near the stored accuracy (chance is 10%).
    const test = await loadDataset(fsSource(DEFAULT_DATA_DIR), 'cifar10', 'test', { limit: 200 });
    const { accuracy } = await measureOnDataset(judge.classifier, test, '');
    expect(accuracy.overall).toBeGreaterThan(0.65);
    judge.classifier.dispose();
  });
});
