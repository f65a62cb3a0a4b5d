// The 'vgg' judge layout (the CIFAR-10 judge): conv-BN-ReLU stages with max-pooling, a global
// max-pool as the features, flip averaging; checked against the same network composed by hand.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CIFAR10_CLASSIFIER,
  Classifier,
  classifierFlops,
  classifierParamSpecs,
  finalGridSize,
  isStatisticName,
  type ClassifierConfig,
} from './classifier';
import { BATCH_NORM_EPSILON } from './layers/batchNorm';
import { maxAbsDiff, randomValues } from './testUtil';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const tiny: ClassifierConfig = {
  imageSize: 8,
  inChannels: 3,
  numClasses: 4,
  channels: [3, 5],
  featureDim: 5,
  arch: 'vgg',
  convsPerStage: 2,
};

/** Random γ, β and population statistics, so that each is checked. */
function randomise(model: Classifier): void {
  let seed = 11;
  for (const [name, v] of model.params) {
    if (name.endsWith('.w')) continue;
    const r = randomValues(v.size, seed++);
    const values = name.endsWith('.variance') ? r.map((u) => 0.5 + Math.abs(u)) : r;
    v.assign(tf.tensor1d(values));
  }
}

/** The same network from tf ops, inference mode. */
function byHand(model: Classifier, x: tf.Tensor4D, config: ClassifierConfig): tf.Tensor {
  const p = (n: string) => model.params.get(n)!;
  return tf.tidy(() => {
    let h: tf.Tensor4D = x;
    config.channels.forEach((_, i) => {
      if (i > 0) h = tf.maxPool(h, 2, 2, 'same');
      for (let j = 0; j < (config.convsPerStage ?? 1); j++) {
        const bn = `s${i}.bn${j}`;
        h = tf.conv2d(h, p(`s${i}.conv${j}.w`) as tf.Tensor4D, 1, 'same');
        const xHat = tf.div(
          tf.sub(h, p(`${bn}.mean`)),
          tf.sqrt(tf.add(p(`${bn}.variance`), BATCH_NORM_EPSILON)),
        );
        h = tf.relu(tf.add(tf.mul(xHat, p(`${bn}.gamma`)), p(`${bn}.beta`))) as tf.Tensor4D;
      }
    });
    const features = tf.max(h, [1, 2]);
    return tf.add(tf.matMul(features, p('logits.w') as tf.Tensor2D), p('logits.b'));
  });
}

describe("Classifier, arch 'vgg'", () => {
  it('computes (conv, BN, ReLU) x2 per stage, max-pool between, global max, dense', async () => {
    const model = Classifier.create(tiny, { seed: 3 });
    randomise(model);
    const x = tf.tensor4d(randomValues(2 * 8 * 8 * 3, 5), [2, 8, 8, 3]);
    const { logits, features } = model.apply(x);
    expect(logits.shape).toEqual([2, 4]);
    expect(features.shape).toEqual([2, 5]);
    expect(Math.min(...(await features.data()))).toBeGreaterThanOrEqual(0);
    const expected = byHand(model, x, tiny);
    expect(maxAbsDiff(await logits.data(), await expected.data())).toBeLessThan(1e-5);
    expect(finalGridSize(tiny)).toBe(4);
    tf.dispose([x, logits, features, expected]);
    model.dispose();
  });

  it('with flipAverage scores an image and its mirror image the same', async () => {
    const model = Classifier.create({ ...tiny, flipAverage: true }, { seed: 4 });
    const plain = new Classifier({ ...tiny, flipAverage: false }, model.params);
    randomise(model);
    const x = tf.tensor4d(randomValues(8 * 8 * 3, 6), [1, 8, 8, 3]);
    const mirrored = tf.reverse(x, 2) as tf.Tensor4D;
    const a = model.apply(x).logits;
    const b = model.apply(mirrored).logits;
    expect(maxAbsDiff(await a.data(), await b.data())).toBeLessThan(1e-5);
    const c = plain.apply(x).logits;
    const d = plain.apply(mirrored).logits;
    expect(maxAbsDiff(await c.data(), await d.data())).toBeGreaterThan(1e-5);
    const mean = tf.div(tf.add(c, d), 2);
    expect(maxAbsDiff(await a.data(), await mean.data())).toBeLessThan(1e-5);
    tf.dispose([x, mirrored, a, b, c, d, mean]);
    model.dispose();
  });

  it('trains γ, β and the weights but never the population statistics', async () => {
    const before = tf.memory().numTensors;
    const model = Classifier.create(tiny, { seed: 5 });
    const trainable = model.trainableVariables();
    const names = [...model.params.keys()];
    expect(trainable).toHaveLength(names.filter((n) => !isStatisticName(n)).length);
    expect(names.filter(isStatisticName)).toHaveLength(8); // 4 BN layers x (mean, variance)
    const x = tf.tensor4d(randomValues(3 * 8 * 8 * 3, 9), [3, 8, 8, 3]);
    const labels = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 1, 2], 'int32'), 4));
    const moments: string[] = [];
    const { value, grads } = tf.variableGrads(() => {
      const { logits } = model.apply(x, {
        batchStatistics: true,
        onBatchMoments: (layer, m, v) => {
          moments.push(layer);
          tf.dispose([m, v]);
        },
      });
      return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
    }, trainable);
    expect(moments).toEqual(['s0.bn0', 's0.bn1', 's1.bn0', 's1.bn1']);
    for (const v of trainable) {
      const norm = tf.tidy(() => tf.sum(tf.abs(grads[v.name])));
      expect((await norm.data())[0], v.name).toBeGreaterThan(0);
      norm.dispose();
    }
    tf.dispose([value, x, labels, ...Object.values(grads)]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects configs that do not fit the layout', () => {
    expect(() => classifierParamSpecs({ ...tiny, featureDim: 4 })).toThrow(/featureDim equal/);
    expect(() => classifierParamSpecs({ ...tiny, convsPerStage: 0 })).toThrow(/invalid/);
    expect(() => classifierParamSpecs({ ...tiny, channels: [] })).toThrow(/invalid/);
    // The strided layout has two stages and no vgg options.
    const strided = { ...tiny, arch: 'strided' as const, featureDim: 4, convsPerStage: undefined };
    expect(() => classifierParamSpecs({ ...strided, channels: [2, 3, 4] })).toThrow(/invalid/);
    expect(() => classifierParamSpecs({ ...strided, flipAverage: true })).toThrow(/invalid/);
  });

  it('keeps the CIFAR-10 judge cheap: ~9 MFLOP per image, ~0.14M parameters', () => {
    // 3x3 convs at 32², 16², 8², 4²: 3→16, 16→32, 32→64, 64→192; dense 192→10.
    const macs =
      1024 * 9 * 3 * 16 + 256 * 9 * 16 * 32 + 64 * 9 * 32 * 64 + 16 * 9 * 64 * 192 + 192 * 10;
    expect(classifierFlops(CIFAR10_CLASSIFIER)).toBe(2 * macs);
    expect(classifierFlops({ ...CIFAR10_CLASSIFIER, flipAverage: true })).toBe(4 * macs);
    const params = classifierParamSpecs(CIFAR10_CLASSIFIER).reduce(
      (n, s) => n + s.shape.reduce((a, b) => a * b, 1),
      0,
    );
    // conv weights, 4 numbers per BN channel (γ, β, mean, variance), dense weight + bias
    const convs = 27 * 16 + 144 * 32 + 288 * 64 + 576 * 192;
    expect(params).toBe(convs + 4 * (16 + 32 + 64 + 192) + 192 * 10 + 10);
  });
});
