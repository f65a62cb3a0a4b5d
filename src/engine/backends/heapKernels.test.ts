// The replaced wasm kernels (heapKernels.ts, matMul.ts) against the cpu backend, on the shapes
// and attribute combinations a U-Net's training step produces and on awkward ones.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initWasmForTests, onBackend, randomValues, relError } from './testing';

const rand = (shape: number[], seed: number) =>
  tf.tensor(randomValues(tf.util.sizeFromShape(shape), seed), shape);

async function compare(fn: () => tf.Tensor[], tol = 1e-5): Promise<void> {
  const want = await onBackend('cpu', fn);
  const got = await onBackend('wasm', fn);
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(relError(g, want[i]), `output ${i}`).toBeLessThan(tol));
}

describe('wasm kernels on heap views', () => {
  beforeAll(initWasmForTests);

  it('Slice: contiguous, strided, any rank, int32', async () => {
    await compare(() => {
      const x = rand([3, 5, 4, 6], 1);
      const flat = rand([1000], 2);
      return [
        tf.slice(x, [1, 0, 0, 0], [2, 5, 4, 6]),
        tf.slice(x, [0, 1, 2, 3], [3, 3, 2, 3]),
        tf.slice(x, [0, 0, 0, 2], [-1, -1, -1, 4]),
        tf.slice(x, [2, 4, 3, 5], [1, 1, 1, 1]),
        tf.slice(rand([2, 3, 2, 3, 2], 3), [1, 1, 0, 1, 1], [1, 2, 2, 2, 1]),
        tf.slice(flat, 17, 500),
        tf.cast(tf.slice(tf.tensor1d([1, 2, 3, 4, 5], 'int32'), 1, 3), 'float32'),
      ];
    });
  });

  it('SplitV along every axis, with uneven sizes', async () => {
    await compare(() => {
      const x = rand([4, 3, 5, 7], 4);
      return [
        ...tf.split(x, [3, 4], 3),
        ...tf.split(x, [1, 2, 2], 2),
        ...tf.split(x, 3, 1),
        ...tf.split(x, [1, 3], 0),
        ...tf.split(rand([1000], 5), [1, 600, 399]),
      ];
    });
  });

  it('Concat along every axis, int32 too', async () => {
    await compare(() => {
      const a = rand([2, 3, 4, 5], 20);
      const b = rand([2, 3, 4, 2], 21);
      return [
        tf.concat([a, b], 3),
        tf.concat([a, rand([2, 3, 1, 5], 22), a], 2),
        tf.concat([a, rand([2, 1, 4, 5], 23)], 1),
        tf.concat([a, a], 0),
        tf.concat([rand([7], 24), rand([0], 25), rand([3], 26)]),
        tf.cast(tf.concat([tf.tensor1d([1, 2], 'int32'), tf.tensor1d([3], 'int32')]), 'float32'),
      ];
    });
  });

  it('Sum over leading, middle and trailing axes, keepDims', async () => {
    await compare(() => {
      const x = rand([4, 6, 5, 8], 6);
      return [
        tf.sum(x, [0, 1, 2]),
        tf.sum(x, [1, 2], true),
        tf.sum(x, [2, 1]),
        tf.sum(x, 0),
        tf.sum(x, [1]),
        tf.sum(x, [2, 3]),
        tf.sum(x, [0, 2]),
        tf.sum(x),
      ];
    });
  });

  it('BatchMatMul: transposes, batches and broadcasting', async () => {
    await compare(() => {
      const a = rand([3, 5, 4], 7);
      const b = rand([3, 4, 6], 8);
      const a2 = rand([7, 4], 9);
      const b2 = rand([4, 6], 10);
      return [
        tf.matMul(a2, b2),
        tf.matMul(tf.transpose(a2), b2, true, false),
        tf.matMul(a2, tf.transpose(b2), false, true),
        tf.matMul(tf.transpose(a2), tf.transpose(b2), true, true),
        tf.matMul(a, b),
        tf.matMul(tf.transpose(a, [0, 2, 1]), b, true, false),
        tf.matMul(a, tf.transpose(b, [0, 2, 1]), false, true),
        tf.matMul(tf.transpose(a, [0, 2, 1]), tf.transpose(b, [0, 2, 1]), true, true),
        tf.matMul(a, b2), // b broadcast: a's batch folds into the rows
        tf.matMul(tf.transpose(a, [0, 2, 1]), b2, true, false),
        tf.matMul(a2.reshape([1, 7, 4]), b), // a broadcast
        tf.matMul(rand([2, 3, 5, 4], 11), rand([2, 3, 4, 2], 12)), // rank 4
      ];
    });
  });

  it('dense and attention gradients match cpu', async () => {
    await compare(() => {
      const x = rand([6, 8], 13);
      const w = rand([8, 5], 14);
      const q = rand([3, 7, 4], 15);
      const k = rand([3, 7, 4], 16);
      const f = (xx: tf.Tensor, ww: tf.Tensor, qq: tf.Tensor, kk: tf.Tensor) =>
        tf.add(
          tf.sum(tf.square(tf.matMul(xx as tf.Tensor2D, ww as tf.Tensor2D))),
          tf.sum(tf.matMul(tf.softmax(tf.matMul(qq, kk, false, true)), kk)),
        ) as tf.Scalar;
      return tf.grads(f)([x, w, q, k]);
    }, 1e-4);
  });

  it('Identity and same-dtype Cast share data safely', async () => {
    await initWasmForTests();
    const before = tf.engine().backend.numDataIds();
    const x = tf.tensor1d([1, 2, 3]);
    const c = tf.clone(x);
    const f = tf.cast(x, 'float32');
    const ints = tf.tensor1d([4, 5], 'int32');
    const i = tf.cast(ints, 'int32');
    const v = tf.variable(x);
    const snapshot = tf.clone(v);
    const next = tf.tensor1d([7, 8, 9]);
    v.assign(next);
    x.dispose();
    expect(Array.from(await c.data())).toEqual([1, 2, 3]);
    expect(Array.from(await f.data())).toEqual([1, 2, 3]);
    expect(Array.from(await i.data())).toEqual([4, 5]);
    expect(Array.from(await snapshot.data())).toEqual([1, 2, 3]);
    const back = tf.cast(c, 'int32');
    expect(back.dtype).toBe('int32');
    expect(Array.from(await back.data())).toEqual([1, 2, 3]);
    expect(Array.from(await v.data())).toEqual([7, 8, 9]);
    tf.dispose([c, f, ints, i, v, snapshot, next, back]);
    expect(tf.engine().backend.numDataIds()).toBe(before);
  });

  it('does not leak wasm tensors', async () => {
    await initWasmForTests();
    const before = tf.engine().backend.numDataIds();
    tf.tidy(() => {
      const a = rand([3, 5, 4], 7);
      tf.matMul(a, rand([3, 4, 6], 8));
      tf.matMul(a, rand([5, 6], 9), true, false);
      tf.split(a, [1, 2], 0);
      tf.sum(a, [0, 1]);
    });
    expect(tf.engine().backend.numDataIds()).toBe(before);
  });
});
