import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Classifier } from '../../model/classifier';
import { CheckpointError } from '../checkpoint/errors';
import { encodeClassifier, decodeClassifier } from './checkpoint';
import { loadJudge } from './load';
import { measureOnDataset } from './testSet';
import { referenceStatsText } from './referenceStats';
import { barsDataset, TINY_JUDGE } from './testing';
import type { ClassifierMeta, RawJudge } from './types';

const META: ClassifierMeta = {
  classifierConfig: TINY_JUDGE,
  dataset: 'mnist',
  classNames: ['h', 'v', 'square'],
  createdAt: '2026-01-02T03:04:05.000Z',
  training: {
    epochs: 1,
    steps: 3,
    batch: 4,
    learningRate: 1e-3,
    warmupSteps: 0,
    maxShift: 2,
    dropout: 0.25,
    seed: 5,
    trainImages: 12,
    wallTimeSeconds: 1.5,
    command: 'npm run cli -- train-classifier',
  },
  testAccuracy: { overall: 0.5, perClass: [0.5, null, 1], count: 8 },
};

/** A saved random judge with its reference stats on toy data, as the three files. */
async function savedJudge(): Promise<RawJudge> {
  const model = Classifier.create(TINY_JUDGE, { seed: 2 });
  const encoded = await encodeClassifier(model, META);
  const { reference } = await measureOnDataset(
    model,
    barsDataset(30),
    encoded.modelJson.weightsCrc32 ?? '',
  );
  model.dispose();
  // Through JSON text, as on disk.
  return {
    modelJson: JSON.parse(JSON.stringify(encoded.modelJson)),
    weights: encoded.weights,
    referenceStats: JSON.parse(referenceStatsText(reference)),
  };
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof CheckpointError) return `${e.code}: ${e.message}`;
    throw e;
  }
  return 'no error';
}

describe('judge files', () => {
  it('round-trip: the loaded judge computes exactly what the saved one did', async () => {
    const before = tf.memory().numTensors;
    const model = Classifier.create(TINY_JUDGE, { seed: 2 });
    const x = tf.randomUniform([3, 8, 8, 1], -1, 1, 'float32', 4) as tf.Tensor4D;
    const want = model.apply(x);
    const raw = await savedJudge();
    const judge = loadJudge(raw);
    const got = judge.classifier.apply(x);
    expect(Array.from(await got.logits.data())).toEqual(Array.from(await want.logits.data()));
    expect(Array.from(await got.features.data())).toEqual(Array.from(await want.features.data()));
    expect(judge.manifest).toMatchObject({
      format: 'diffusion-playground-classifier',
      formatVersion: 1,
      classifierConfig: TINY_JUDGE,
      training: META.training,
      testAccuracy: META.testAccuracy,
    });
    expect(judge.manifest.weightsCrc32).toMatch(/^[0-9a-f]{8}$/);
    expect(judge.reference.judgeWeightsCrc32).toBe(judge.manifest.weightsCrc32);
    expect(judge.reference.cov).toHaveLength(8);
    tf.dispose([x, want.logits, want.features, got.logits, got.features]);
    judge.classifier.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad files with a CheckpointError naming the problem, creating nothing', async () => {
    const raw = await savedJudge();
    const before = tf.memory().numTensors;
    const json = raw.modelJson as Record<string, unknown>;
    const stats = raw.referenceStats as Record<string, unknown>;
    const cases: Array<[RawJudge, RegExp]> = [
      [
        { ...raw, modelJson: { ...json, format: 'diffusion-playground-checkpoint' } },
        /^format: .*expected "diffusion-playground-classifier" \(this is a diffusion model/,
      ],
      [{ ...raw, modelJson: { ...json, formatVersion: 2 } }, /^version: /],
      [{ ...raw, weights: raw.weights.slice(0, 100) }, /^corrupt: weights.bin has 100 bytes/],
      [
        {
          ...raw,
          weights: (() => {
            const w = new Uint8Array(raw.weights.slice(0));
            w[17] ^= 1;
            return w.buffer;
          })(),
        },
        /^corrupt: .*CRC-32/,
      ],
      [
        { ...raw, modelJson: { ...json, classifierConfig: { ...TINY_JUDGE, featureDim: 9 } } },
        /^shape: weight features.w has shape \[32,8\] but the model config needs \[32,9\]/,
      ],
      [
        { ...raw, modelJson: { ...json, classNames: ['a'] } },
        /^config: the judge has 1 classNames/,
      ],
      [
        { ...raw, referenceStats: { ...stats, judgeWeightsCrc32: '00000000' } },
        /^mismatch: reference-stats.json was computed with another judge/,
      ],
      [
        { ...raw, referenceStats: { ...stats, featureDim: 4 } },
        /^mismatch: reference-stats.json describes "mnist" with 4 features/,
      ],
      [
        { ...raw, referenceStats: { ...stats, mean: [1, 2] } },
        /^format: reference-stats.json: mean must be an array of 8 numbers/,
      ],
      [
        {
          ...raw,
          referenceStats: {
            ...stats,
            cov: (stats.cov as number[][]).map((row, i) =>
              i === 1 ? [...row.slice(0, 7), 1e9] : row,
            ),
          },
        },
        /^format: reference-stats.json: cov is not symmetric at \[7\]\[1\]/,
      ],
      [
        { ...raw, referenceStats: { ...stats, format: 'x' } },
        /^format: reference-stats.json: format/,
      ],
    ];
    for (const [bad, message] of cases) expect(codeOf(() => loadJudge(bad))).toMatch(message);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a NaN weight at save time and at load time', async () => {
    const model = Classifier.create(TINY_JUDGE, { seed: 2 });
    const raw = await savedJudge();
    const w = new Float32Array(raw.weights.slice(0));
    w[3] = Number.NaN;
    // Keep the CRC consistent so that the NaN check is what fires.
    const json = { ...(raw.modelJson as Record<string, unknown>) };
    delete json.weightsCrc32;
    expect(codeOf(() => decodeClassifier(json, w.buffer))).toMatch(
      /^nan: weight conv1.w contains NaN/,
    );
    model.params.get('logits.b')!.assign(tf.tensor1d([0, Number.POSITIVE_INFINITY, 0]));
    await expect(encodeClassifier(model, META)).rejects.toThrow(/cannot save: weight logits.b/);
    model.dispose();
  });
});
