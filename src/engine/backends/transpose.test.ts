// The wasm Transpose wrapper (transpose.ts): its canonical form, and every path against cpu on
// tensors big enough to take the blocked routes.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initWasmForTests, onBackend, randomValues, relError } from './testing';
import { canonicalTranspose } from './transpose';

describe('canonicalTranspose', () => {
  it.each([
    [
      [64, 28, 28, 32],
      [3, 1, 2, 0],
      [64, 784, 32],
      [2, 1, 0],
    ],
    [
      [50176, 96],
      [1, 0],
      [50176, 96],
      [1, 0],
    ],
    [
      [28, 28, 64, 32],
      [1, 2, 0, 3],
      [28, 1792, 32],
      [1, 0, 2],
    ],
    [
      [64, 28, 28, 32],
      [0, 3, 1, 2],
      [64, 784, 32],
      [0, 2, 1],
    ],
    [
      [1, 5, 1, 7],
      [3, 2, 1, 0],
      [5, 7],
      [1, 0],
    ],
    [[4, 1, 6], [1, 0, 2], [24], [0]],
    [
      [2, 3, 4, 5, 6],
      [0, 1, 4, 2, 3],
      [6, 20, 6],
      [0, 2, 1],
    ],
  ])('%j perm %j -> %j perm %j', (shape, perm, cshape, cperm) => {
    expect(canonicalTranspose(shape, perm)).toEqual({ shape: cshape, perm: cperm });
  });
});

describe('wasm Transpose', () => {
  beforeAll(initWasmForTests);

  it('matches cpu on the blocked paths and the fallbacks', async () => {
    const cases: [number[], number[]][] = [
      [
        [2048, 40],
        [1, 0],
      ], // 2-D, blocked by 64
      [
        [1000, 72],
        [1, 0],
      ], // blocked by 8
      [
        [1001, 70],
        [1, 0],
      ], // no block size divides: original
      [
        [70, 1001],
        [1, 0],
      ], // R < C: original
      [
        [64, 7, 7, 30],
        [3, 1, 2, 0],
      ], // NHWC -> CHWN, 3 steps
      [
        [3, 50, 50, 20],
        [3, 1, 2, 0],
      ],
      [
        [16, 40, 110],
        [2, 1, 0],
      ],
      [
        [64, 14, 14, 8],
        [1, 2, 0, 3],
      ], // other perms: original
      [
        [8, 20, 30, 16],
        [0, 3, 1, 2],
      ],
      [
        [2, 3, 64, 5, 40],
        [4, 3, 2, 1, 0],
      ],
      [
        [5, 6],
        [1, 0],
      ], // small: original
    ];
    const run = () =>
      cases.map(([shape, perm], i) =>
        tf.transpose(tf.tensor(randomValues(tf.util.sizeFromShape(shape), i + 1), shape), perm),
      );
    const want = await onBackend('cpu', run);
    const got = await onBackend('wasm', run);
    cases.forEach((c, i) => expect(relError(got[i], want[i]), JSON.stringify(c)).toBe(0));
    await tf.setBackend('wasm');
    const ints = tf.tensor2d(
      Array.from({ length: 4096 * 20 }, (_, i) => i),
      [4096, 20],
      'int32',
    );
    const t = tf.transpose(ints);
    expect(t.dtype).toBe('int32');
    const v = await t.data();
    expect([v[0], v[1], v[4096], v[4096 * 20 - 1]]).toEqual([0, 20, 1, 4096 * 20 - 1]);
    tf.dispose([ints, t]);
  });
});
