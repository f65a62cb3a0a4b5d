import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { groupNormRef, maxAbsDiff, randomValues, values } from '../testUtil';
import { attentionBlock } from './attention';
import { dropout, silu } from './basic';
import { groupNorm } from './groupNorm';
import { resBlock } from './resBlock';
import { downsample, upsample } from './resample';

describe('groupNorm', () => {
  it('matches a plain-JS reference', async () => {
    const shape = [2, 3, 3, 6];
    const groups = 3;
    const xs = randomValues(2 * 3 * 3 * 6, 1).map((v, i) => v * 3 + (i % 5)); // non-zero means
    const gamma = randomValues(6, 2);
    const beta = randomValues(6, 3);
    const y = tf.tidy(() =>
      groupNorm(
        tf.tensor4d(xs, shape as [number, number, number, number]),
        { gamma: tf.tensor1d(gamma), beta: tf.tensor1d(beta) },
        groups,
      ),
    );
    const ref = groupNormRef(xs, shape, gamma, beta, groups);
    expect(maxAbsDiff(await values(y), ref)).toBeLessThan(1e-5);
    y.dispose();
  });

  it('rejects channels not divisible by groups', () => {
    const x = tf.zeros([1, 2, 2, 6]) as tf.Tensor4D;
    const p = { gamma: tf.ones([6]) as tf.Tensor1D, beta: tf.zeros([6]) as tf.Tensor1D };
    expect(() => groupNorm(x, p, 4)).toThrow(/not divisible/);
    tf.dispose([x, p.gamma, p.beta]);
  });
});

describe('dropout', () => {
  it('zeroes about `rate` of the values, scales the rest, and is reproducible by seed', async () => {
    const x = tf.fill([200, 50], 2);
    const y = await values(dropout(x, 0.25, 'a/b'));
    const zeros = y.filter((v) => v === 0).length / y.length;
    expect(zeros).toBeGreaterThan(0.23);
    expect(zeros).toBeLessThan(0.27);
    expect(y.every((v) => v === 0 || Math.abs(v - 2 / 0.75) < 1e-6)).toBe(true);
    expect(await values(dropout(x, 0.25, 'a/b'))).toEqual(y);
    expect(await values(dropout(x, 0.25, 'a/c'))).not.toEqual(y);
    expect(await values(dropout(x, 0.25, 7))).not.toEqual(await values(dropout(x, 0.25, 8)));
    expect(await values(dropout(x, 0, 'a/b'))).toEqual(await values(x));
    expect(() => dropout(x, 1)).toThrow(/rate/);
    x.dispose();
  });

  it('passes the gradient through the same mask', async () => {
    const x = tf.tensor1d(randomValues(1000, 40));
    const [y, g] = tf.tidy(() => [
      dropout(x, 0.5, 3),
      tf.grad((v: tf.Tensor) => tf.sum(dropout(v, 0.5, 3)))(x),
    ]);
    const ys = await values(y);
    const xs = await values(x);
    (await values(g)).forEach((gi, i) =>
      expect(gi).toBeCloseTo(xs[i] === 0 ? gi : ys[i] / xs[i], 5),
    );
    tf.dispose([x, y, g]);
  });
});

describe('silu', () => {
  it('is x * sigmoid(x)', async () => {
    const x = tf.tensor1d([-2, 0, 1.5]);
    const y = silu(x);
    const ref = [-2, 0, 1.5].map((v) => v / (1 + Math.exp(-v)));
    expect(maxAbsDiff(await values(y), ref)).toBeLessThan(1e-6);
    tf.dispose([x, y]);
  });
});

/** Plain-JS single-head attention block on NHWC data, float64. */
function attentionRef(
  x: number[],
  [b, h, w, c]: number[],
  p: {
    gamma: number[];
    beta: number[];
    qkvW: number[];
    qkvB: number[];
    projW: number[];
    projB: number[];
  },
  groups: number,
): number[] {
  const n = h * w;
  const normed = groupNormRef(x, [b, h, w, c], p.gamma, p.beta, groups);
  const out = x.slice();
  for (let bi = 0; bi < b; bi++) {
    const row = (i: number) => normed.slice((bi * n + i) * c, (bi * n + i + 1) * c);
    // qkv[i][j] for j in 0..3c-1
    const qkv = Array.from({ length: n }, (_, i) => {
      const r = row(i);
      return Array.from({ length: 3 * c }, (_, j) => {
        let s = p.qkvB[j];
        for (let k = 0; k < c; k++) s += r[k] * p.qkvW[k * 3 * c + j];
        return s;
      });
    });
    for (let i = 0; i < n; i++) {
      const logits = Array.from({ length: n }, (_, j) => {
        let s = 0;
        for (let k = 0; k < c; k++) s += qkv[i][k] * qkv[j][c + k];
        return s / Math.sqrt(c);
      });
      const mx = Math.max(...logits);
      const e = logits.map((l) => Math.exp(l - mx));
      const z = e.reduce((a, v) => a + v, 0);
      const attended = Array.from({ length: c }, (_, k) =>
        e.reduce((s, ej, j) => s + (ej / z) * qkv[j][2 * c + k], 0),
      );
      for (let k = 0; k < c; k++) {
        let s = p.projB[k];
        for (let m = 0; m < c; m++) s += attended[m] * p.projW[m * c + k];
        out[(bi * n + i) * c + k] += s;
      }
    }
  }
  return out;
}

describe('attentionBlock', () => {
  it('matches a plain-JS reference', async () => {
    const shape: [number, number, number, number] = [2, 2, 3, 4];
    const c = 4;
    const xs = randomValues(2 * 2 * 3 * 4, 10).map((v) => v * 2);
    const p = {
      gamma: randomValues(c, 11),
      beta: randomValues(c, 12),
      qkvW: randomValues(c * 3 * c, 13),
      qkvB: randomValues(3 * c, 14),
      projW: randomValues(c * c, 15),
      projB: randomValues(c, 16),
    };
    const y = tf.tidy(() =>
      attentionBlock(
        tf.tensor4d(xs, shape),
        {
          norm: { gamma: tf.tensor1d(p.gamma), beta: tf.tensor1d(p.beta) },
          qkv: { w: tf.tensor2d(p.qkvW, [c, 3 * c]), b: tf.tensor1d(p.qkvB) },
          proj: { w: tf.tensor2d(p.projW, [c, c]), b: tf.tensor1d(p.projB) },
        },
        2,
      ),
    );
    expect(y.shape).toEqual(shape);
    expect(maxAbsDiff(await values(y), attentionRef(xs, shape, p, 2))).toBeLessThan(1e-5);
    y.dispose();
  });
});

describe('resample', () => {
  it('goes 28 -> 14 -> 7 -> 14 -> 28 and upsamples by pixel repetition', async () => {
    const before = tf.memory().numTensors;
    const shapes = tf.tidy(() => {
      // 3x3 kernel with a single 1 in the centre: the conv is the identity.
      const id = {
        w: tf.tensor4d([0, 0, 0, 0, 1, 0, 0, 0, 0], [3, 3, 1, 1]),
        b: tf.zeros([1]) as tf.Tensor1D,
      };
      const x = tf.tensor4d(randomValues(28 * 28, 20), [1, 28, 28, 1]);
      const d1 = downsample(x, id);
      const d2 = downsample(d1, id);
      const u1 = upsample(d2, id);
      const u2 = upsample(u1, id);
      return [d1.shape, d2.shape, u1.shape, u2.shape];
    });
    expect(shapes).toEqual([
      [1, 14, 14, 1],
      [1, 7, 7, 1],
      [1, 14, 14, 1],
      [1, 28, 28, 1],
    ]);
    const x = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
    const id = {
      w: tf.tensor4d([0, 0, 0, 0, 1, 0, 0, 0, 0], [3, 3, 1, 1]),
      b: tf.zeros([1]) as tf.Tensor1D,
    };
    const up = upsample(x, id);
    expect(await values(up)).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
    tf.dispose([x, id.w, id.b, up]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('resBlock', () => {
  it('is the skip path when conv2 is zero, and adds a 1x1 projection when channels change', async () => {
    const y = tf.tidy(() => {
      const x = tf.tensor4d(randomValues(1 * 4 * 4 * 4, 30), [1, 4, 4, 4]);
      const emb = tf.tensor2d(randomValues(8, 31), [1, 8]);
      const norm = (c: number) => ({
        gamma: tf.ones([c]) as tf.Tensor1D,
        beta: tf.zeros([c]) as tf.Tensor1D,
      });
      const conv = (k: number, cin: number, cout: number, seed: number) => ({
        w: tf.tensor4d(randomValues(k * k * cin * cout, seed), [k, k, cin, cout]),
        b: tf.zeros([cout]) as tf.Tensor1D,
      });
      const out = resBlock(
        x,
        emb,
        {
          norm1: norm(4),
          conv1: conv(3, 4, 8, 32),
          tembProj: {
            w: tf.tensor2d(randomValues(64, 33), [8, 8]),
            b: tf.zeros([8]) as tf.Tensor1D,
          },
          norm2: norm(8),
          conv2: { w: tf.zeros([3, 3, 8, 8]) as tf.Tensor4D, b: tf.zeros([8]) as tf.Tensor1D },
          skip: { w: tf.ones([1, 1, 4, 8]) as tf.Tensor4D, b: tf.zeros([8]) as tf.Tensor1D },
        },
        { groups: 2, dropout: 0.5, training: true, dropoutSeed: 1 },
      );
      // With a 1x1 all-ones skip, every output channel is the channel sum of x.
      return tf.sub(out, tf.sum(x, 3, true));
    });
    expect(y.shape).toEqual([1, 4, 4, 8]);
    expect(Math.max(...(await values(y)).map(Math.abs))).toBeLessThan(1e-5);
    y.dispose();
  });
});
