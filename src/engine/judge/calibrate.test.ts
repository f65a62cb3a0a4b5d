import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { sampleBatch, type Dataset } from '../../data/dataset';
import { Classifier, MNIST_CLASSIFIER, type ClassifierConfig } from '../../model/classifier';
import { calibrateBatchNorm } from './calibrate';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const config: ClassifierConfig = {
  imageSize: 4,
  inChannels: 3,
  numClasses: 2,
  channels: [3, 4],
  featureDim: 4,
  arch: 'vgg',
};

/** n seeded 4x4 RGB images. */
function dataset(n: number): Dataset {
  let s = 7;
  const images = Uint8Array.from({ length: n * 48 }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s >>> 24;
  });
  return {
    name: 'cifar10',
    split: 'train',
    height: 4,
    width: 4,
    channels: 3,
    classNames: ['a', 'b'],
    count: n,
    images,
    labels: Uint8Array.from({ length: n }, (_, i) => i % 2),
  };
}

const all = (ds: Dataset) =>
  sampleBatch(
    ds,
    Uint32Array.from({ length: ds.count }, (_, i) => i),
  );

describe('calibrateBatchNorm (precise BN)', () => {
  it("pools the first layer's batch statistics into the exact population mean and variance", async () => {
    const ds = dataset(6);
    const model = Classifier.create(config, { seed: 1 });
    expect(await calibrateBatchNorm(model, ds, { count: 6, batchSize: 3 })).toBe(2);
    const { images, shape } = all(ds);
    const expected = tf.tidy(() => {
      const h = tf.conv2d(
        tf.tensor4d(images, shape),
        model.params.get('s0.conv0.w') as tf.Tensor4D,
        1,
        'same',
      );
      return tf.moments(h, [0, 1, 2]);
    });
    const mean = await model.params.get('s0.bn0.mean')!.data();
    const variance = await model.params.get('s0.bn0.variance')!.data();
    const [m, v] = [await expected.mean.data(), await expected.variance.data()];
    m.forEach((x, c) => expect(mean[c]).toBeCloseTo(x, 5));
    v.forEach((x, c) => expect(variance[c]).toBeCloseTo(x, 4));
    tf.dispose([expected.mean, expected.variance]);
    model.dispose();
  });

  it('makes inference equal training mode when the statistics come from one batch of it', async () => {
    const ds = dataset(5);
    const model = Classifier.create(config, { seed: 2 });
    const before = tf.memory().numTensors;
    await calibrateBatchNorm(model, ds, { count: 5, batchSize: 5 });
    expect(tf.memory().numTensors).toBe(before);
    const { images, shape } = all(ds);
    const x = tf.tensor4d(images, shape);
    const infer = model.apply(x);
    const train = model.apply(x, { batchStatistics: true });
    const [a, b] = [await infer.logits.data(), await train.logits.data()];
    a.forEach((value, i) => expect(value).toBeCloseTo(b[i], 4));
    tf.dispose([x, infer.logits, infer.features, train.logits, train.features]);
    model.dispose();
  });

  it('leaves a judge without batch norm alone and rejects batches of one', async () => {
    const mnist = Classifier.create({ ...MNIST_CLASSIFIER, imageSize: 4, inChannels: 3 });
    expect(await calibrateBatchNorm(mnist, dataset(4), { count: 4, batchSize: 2 })).toBe(0);
    mnist.dispose();
    const model = Classifier.create(config);
    await expect(calibrateBatchNorm(model, dataset(4), { count: 4, batchSize: 1 })).rejects.toThrow(
      />= 2 images/,
    );
    model.dispose();
  });
});
