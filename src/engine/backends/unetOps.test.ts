// Every op a DDPM U-Net's training step needs, differentiated on wasm and compared with cpu:
// conv2d (3x3 stride 1 and 2, 1x1), bias add, GroupNorm (moments, rsqrt / sqrt + div), SiLU,
// sinusoidal time embedding (sin, cos, exp), dense, class embedding (gather -> its gradient is
// UnsortedSegmentSum), attention (batched matMul, softmax, transposes), nearest upsampling
// (ResizeNearestNeighborGrad), concat skip, dropout, MSE, then Adam steps.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initWasmForTests, onBackend, randomValues, relError } from './testing';

const TOL = 1e-4;
const [B, H, C] = [2, 8, 8];

/** name -> shape of each trainable parameter. */
const SHAPES: Record<string, number[]> = {
  w1: [3, 3, 3, C],
  b1: [C],
  gamma: [C],
  beta: [C],
  wt: [C, C],
  emb: [10, C],
  wd: [3, 3, C, C],
  wq: [C, C],
  wk: [C, C],
  wv: [C, C],
  w11: [1, 1, 2 * C, C],
  wout: [3, 3, C, 3],
};
const NAMES = Object.keys(SHAPES);

function params(): tf.Tensor[] {
  return NAMES.map((n, i) =>
    tf.tensor(randomValues(tf.util.sizeFromShape(SHAPES[n]), 10 + i), SHAPES[n]),
  );
}

/** GroupNorm over (H, W, C/G); rsqrt or sqrt + div, to cover both. */
function groupNorm(x: tf.Tensor4D, groups: number, useRsqrt: boolean): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  const g = tf.reshape(x, [b, h, w, groups, c / groups]);
  const { mean, variance } = tf.moments(g, [1, 2, 4], true);
  const centered = tf.sub(g, mean);
  const normed = useRsqrt
    ? tf.mul(centered, tf.rsqrt(tf.add(variance, 1e-5)))
    : tf.div(centered, tf.sqrt(tf.add(variance, 1e-5)));
  return tf.reshape(normed, [b, h, w, c]);
}

const silu = (x: tf.Tensor) => tf.mul(x, tf.sigmoid(x));

function timeEmbedding(t: tf.Tensor1D, dim: number): tf.Tensor2D {
  const half = dim / 2;
  const freqs = tf.exp(tf.mul(tf.range(0, half), -Math.log(10000) / half));
  const args = tf.mul(tf.reshape(t, [-1, 1]), tf.reshape(freqs, [1, half]));
  return tf.concat([tf.sin(args), tf.cos(args)], 1) as tf.Tensor2D;
}

function attention(x: tf.Tensor4D, wq: tf.Tensor, wk: tf.Tensor, wv: tf.Tensor): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  const tokens = tf.reshape(x, [b, h * w, c]);
  const proj = (m: tf.Tensor) => tf.matMul(tokens, tf.tile(tf.reshape(m, [1, c, c]), [b, 1, 1]));
  const q = proj(wq);
  const k = tf.transpose(proj(wk), [0, 2, 1]);
  const p = tf.softmax(tf.div(tf.matMul(q, k), Math.sqrt(c)));
  return tf.add(x, tf.reshape(tf.matMul(p, proj(wv)), [b, h, w, c])) as tf.Tensor4D;
}

function loss(...p: tf.Tensor[]): tf.Scalar {
  const [w1, b1, gamma, beta, wt, emb, wd, wq, wk, wv, w11, wout] = p;
  const x = tf.tensor4d(randomValues(B * H * H * 3, 1), [B, H, H, 3]);
  const target = tf.tensor4d(randomValues(B * H * H * 3, 2), [B, H, H, 3]);
  const t = tf.tensor1d([3, 170]);
  const labels = tf.tensor1d([7, 2], 'int32');

  let h = tf.add(tf.conv2d(x, w1 as tf.Tensor4D, 1, 'same'), b1) as tf.Tensor4D;
  h = tf.add(tf.mul(groupNorm(h, 2, true), gamma), beta) as tf.Tensor4D;
  h = silu(h) as tf.Tensor4D;
  const cond = tf.add(tf.matMul(timeEmbedding(t, C), wt), tf.gather(emb, labels));
  h = tf.add(h, tf.reshape(cond, [B, 1, 1, C])) as tf.Tensor4D;
  let d = tf.conv2d(h, wd as tf.Tensor4D, 2, 'same');
  d = silu(groupNorm(d, 4, false)) as tf.Tensor4D;
  d = attention(d, wq, wk, wv);
  const up = tf.image.resizeNearestNeighbor(d, [H, H]);
  let y = tf.conv2d(tf.concat([up, h], 3) as tf.Tensor4D, w11 as tf.Tensor4D, 1, 'same');
  y = tf.dropout(y, 0.1, undefined, 42) as tf.Tensor4D;
  y = tf.conv2d(y, wout as tf.Tensor4D, 1, 'same');
  return tf.losses.meanSquaredError(target, y) as tf.Scalar;
}

describe('U-Net ops on wasm', () => {
  beforeAll(initWasmForTests);

  it('loss and every parameter gradient match cpu', async () => {
    const run = () => {
      const { value, grads } = tf.valueAndGrads(loss)(params());
      return [value, ...grads];
    };
    const want = await onBackend('cpu', run);
    const got = await onBackend('wasm', run);
    expect(relError(got[0], want[0]), 'loss').toBeLessThan(TOL);
    NAMES.forEach((n, i) => expect(relError(got[i + 1], want[i + 1]), n).toBeLessThan(TOL));
  });

  it('three Adam steps match cpu', async () => {
    const run = () => {
      const vars = params().map((p) => tf.variable(p));
      const opt = tf.train.adam(1e-2);
      for (let i = 0; i < 3; i++) opt.minimize(() => loss(...vars), false, vars);
      const values = vars.map((v) => v.clone());
      opt.dispose();
      tf.dispose(vars);
      return values;
    };
    const want = await onBackend('cpu', run);
    const got = await onBackend('wasm', run);
    NAMES.forEach((n, i) => expect(relError(got[i], want[i]), n).toBeLessThan(TOL));
  });
});
