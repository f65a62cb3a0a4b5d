import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { BATCH_NORM_EPSILON, batchMoments, batchNormInfer, batchNormTrain } from './batchNorm';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Ioffe & Szegedy 2015, Alg. 1, composed from tf ops: the reference (autodiff gives its grads). */
function reference(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  const xHat = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, BATCH_NORM_EPSILON)));
  return tf.add(tf.mul(xHat, gamma), beta);
}

const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];

describe('batch normalisation', () => {
  const x = tf.randomNormal([4, 3, 3, 5], 0.5, 2, 'float32', 1) as tf.Tensor4D;
  const gamma = tf.randomNormal([5], 1, 0.3, 'float32', 2) as tf.Tensor1D;
  const beta = tf.randomNormal([5], 0, 0.3, 'float32', 3) as tf.Tensor1D;
  // A fixed random weighting of the outputs, so that every gradient term is exercised.
  const w = tf.randomNormal([4, 3, 3, 5], 0, 1, 'float32', 4);

  it('normalises over N, H, W: per channel mean β and standard deviation |γ| (up to ε)', () => {
    const y = batchNormTrain(x, { gamma, beta });
    const { mean, variance } = tf.moments(y, [0, 1, 2]);
    expect(maxDiff(mean, beta)).toBeLessThan(1e-5);
    const { variance: vx } = tf.moments(x, [0, 1, 2]);
    const expected = tf.mul(tf.square(gamma), tf.div(vx, tf.add(vx, BATCH_NORM_EPSILON)));
    expect(maxDiff(variance, expected)).toBeLessThan(1e-4);
    expect(maxDiff(y, reference(x, gamma, beta))).toBeLessThan(1e-5);
  });

  it("has the gradients of tfjs's autodiff through tf.moments (x, γ and β)", () => {
    const loss = (f: typeof reference) => (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(w, f(a, g, b)));
    const mine = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
      batchNormTrain(a as tf.Tensor4D, { gamma: g as tf.Tensor1D, beta: b as tf.Tensor1D });
    const expected = tf.grads(loss(reference))([x, gamma, beta]);
    const got = tf.grads(loss(mine))([x, gamma, beta]);
    for (let i = 0; i < 3; i++) {
      const scale = tf.max(tf.abs(expected[i])).dataSync()[0];
      expect(scale).toBeGreaterThan(0.1);
      expect(maxDiff(got[i], expected[i]) / scale).toBeLessThan(1e-5);
    }
  });

  it("batchMoments are tf.moments', and inference with them equals training mode", () => {
    const m = batchMoments(x);
    const ref = tf.moments(x, [0, 1, 2]);
    expect(maxDiff(m.mean, ref.mean)).toBeLessThan(1e-5);
    expect(maxDiff(m.variance, ref.variance)).toBeLessThan(1e-4);
    const infer = batchNormInfer(x, { gamma, beta }, m);
    expect(maxDiff(infer, batchNormTrain(x, { gamma, beta }))).toBeLessThan(1e-5);
  });

  it('leaks no tensors', () => {
    const g = tf.variable(gamma);
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(
      () => tf.sum(batchNormTrain(x, { gamma: g, beta })),
      [g],
    );
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    g.dispose();
  });
});
