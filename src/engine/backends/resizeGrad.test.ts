// The gradient of resizeNearestNeighbor must be the adjoint of each backend's own forward:
// resize an image of its flat indices to learn which source each output copies, scatter-add dy
// through that map, and compare with tf.grads. (tfjs 4.22's cpu kernel fails this for batch > 1,
// cpu and wasm for halfPixelCenters; registerCpuKernelFixes / registerWasmTrainingKernels fix it.)
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initWasmForTests, onBackend, randomValues, relError } from './testing';

const cases: { shape: [number, number, number, number]; size: [number, number] }[] = [
  { shape: [2, 4, 4, 3], size: [8, 8] },
  { shape: [3, 3, 5, 2], size: [7, 9] },
  { shape: [2, 7, 7, 1], size: [3, 4] },
  // Integer factors: on wasm, a block sum (an average pool) unless alignCorners/halfPixelCenters.
  { shape: [2, 3, 5, 2], size: [9, 15] },
  { shape: [1, 4, 4, 3], size: [8, 12] },
];

describe('ResizeNearestNeighborGrad is the adjoint of the forward', () => {
  beforeAll(initWasmForTests);

  for (const backend of ['cpu', 'wasm'] as const) {
    for (const { shape, size } of cases) {
      for (const [alignCorners, halfPixelCenters] of [
        [false, false],
        [true, false],
        [false, true],
      ]) {
        it(`${backend} ${shape} -> ${size} align=${alignCorners} half=${halfPixelCenters}`, async () => {
          const n = tf.util.sizeFromShape(shape);
          const outShape = [shape[0], size[0], size[1], shape[3]];
          const dyValues = randomValues(tf.util.sizeFromShape(outShape), n);
          const [src, grad] = await onBackend(backend, () => {
            const resize = (x: tf.Tensor) =>
              tf.image.resizeNearestNeighbor(
                x as tf.Tensor4D,
                size,
                alignCorners,
                halfPixelCenters,
              );
            const index = resize(tf.range(0, n).reshape(shape));
            const dy = tf.tensor(dyValues, outShape);
            const g = tf.grads((x: tf.Tensor) => tf.sum(tf.mul(resize(x), dy)))([tf.zeros(shape)]);
            return [index, g[0]];
          });
          const want = new Float32Array(n);
          src.forEach((s, i) => (want[s] += dyValues[i]));
          expect(relError(grad, want)).toBeLessThan(1e-6);
        });
      }
    }
  }
});
