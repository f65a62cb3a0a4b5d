// The fused wasm GroupNorm (+ SiLU) kernels (groupNormKernels.ts) against the composite
// GroupNorm on the cpu backend: values and the gradients of x, gamma and beta, with the SIMD
// kernels (assembly/groupNorm.ts) and with the JavaScript + wasm-kernel path they replace.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { groupNorm, groupNormSilu, GROUP_NORM_KERNEL } from '../../model/layers/groupNorm';
import { setSimdKernels } from './simdKernels';
import { initWasmForTests, onBackend, randomValues, relError } from './testing';

const rand = (shape: number[], seed: number, scale = 1, shift = 0) =>
  tf.tensor(
    randomValues(tf.util.sizeFromShape(shape), seed).map((v) => v * scale + shift),
    shape,
  );

describe('fused GroupNorm on wasm', () => {
  beforeAll(initWasmForTests);

  it('is used on wasm only', async () => {
    await tf.setBackend('wasm');
    expect(tf.getKernel(GROUP_NORM_KERNEL, 'wasm')).toBeDefined();
    expect(tf.getKernel(GROUP_NORM_KERNEL, 'cpu')).toBeUndefined();
  });

  it.each([
    [[2, 4, 4, 8], 4, true, true],
    [[2, 4, 4, 8], 4, false, true],
    [[3, 5, 3, 6], 1, true, true],
    [[1, 2, 2, 4], 4, false, true],
    [[2, 7, 7, 16], 8, true, true],
    [[3, 5, 3, 6], 1, true, false],
    [[2, 7, 7, 16], 8, true, false],
    [[1, 2, 2, 4], 4, false, false],
  ] as const)(
    'shape %j, %i groups, silu %s, SIMD kernels %s: values and gradients match cpu',
    async (shape, groups, act, simd) => {
      const s = [...shape];
      const c = s[3];
      const run = () => {
        // Non-zero means and a spread of scales, as after a conv.
        const x = rand(s, 1, 3, 1.5) as tf.Tensor4D;
        const gamma = rand([c], 2, 1, 1) as tf.Tensor1D;
        const beta = rand([c], 3) as tf.Tensor1D;
        const weights = rand(s, 4);
        const layer = (xx: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
          const p = { gamma: g as tf.Tensor1D, beta: b as tf.Tensor1D };
          return act
            ? groupNormSilu(xx as tf.Tensor4D, p, groups)
            : groupNorm(xx as tf.Tensor4D, p, groups);
        };
        const y = layer(x, gamma, beta);
        const grads = tf.grads((xx: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.mul(layer(xx, g, b), weights)),
        )([x, gamma, beta]);
        return [y, ...grads];
      };
      const want = await onBackend('cpu', run);
      const was = setSimdKernels(simd);
      let got: Float32Array[];
      try {
        got = await onBackend('wasm', run);
      } finally {
        setSimdKernels(was);
      }
      ['y', 'dx', 'dgamma', 'dbeta'].forEach((name, i) =>
        expect(relError(got[i], want[i]), name).toBeLessThan(1e-4),
      );
    },
  );

  it('frees every intermediate', async () => {
    await tf.setBackend('wasm');
    const x = rand([2, 4, 4, 8], 5) as tf.Tensor4D;
    const p = { gamma: rand([8], 6) as tf.Tensor1D, beta: rand([8], 7) as tf.Tensor1D };
    const tensors = tf.memory().numTensors;
    const ids = tf.engine().backend.numDataIds();
    const g = tf.grads((xx: tf.Tensor) => tf.sum(groupNormSilu(xx as tf.Tensor4D, p, 4)))([x]);
    tf.dispose(g);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.engine().backend.numDataIds()).toBe(ids);
    tf.dispose([x, p.gamma, p.beta]);
  });
});
