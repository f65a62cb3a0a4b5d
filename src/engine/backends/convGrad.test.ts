// Parity of conv2d gradients on wasm (our kernels) against the cpu backend.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CONV_CASES as cases,
  convGrads,
  initWasmForTests,
  onBackend,
  randomValues,
  relError,
  type ConvCase,
} from './testing';
import { registerWasmTrainingKernels } from './wasmKernels';

/** Max error relative to the largest |value| of the cpu result. */
const TOL = 1e-4;

describe('wasm conv2d gradients match cpu', () => {
  beforeAll(initWasmForTests);

  it.each(cases.map((c, i) => [JSON.stringify(c), c, i] as const))('%s', async (_, c, i) => {
    const want = await onBackend('cpu', convGrads(c, 100 * i));
    const got = await onBackend('wasm', convGrads(c, 100 * i));
    expect(relError(got[0], want[0]), 'dx').toBeLessThan(TOL);
    expect(relError(got[1], want[1]), 'dw').toBeLessThan(TOL);
  });

  it('NCHW kernels (fallback for the input gradient) match cpu', async () => {
    const run = () => {
      const x = tf.tensor4d(randomValues(2 * 3 * 7 * 7, 5), [2, 3, 7, 7]);
      const dy = tf.tensor4d(randomValues(2 * 4 * 4 * 4, 6), [2, 4, 4, 4]);
      const filter = tf.tensor4d(randomValues(3 * 3 * 3 * 4, 7), [3, 3, 3, 4]);
      const attrs = { strides: 2, pad: 'same', dataFormat: 'NCHW', dimRoundingMode: undefined };
      const engine = tf.engine();
      const dx = engine.runKernel(tf.Conv2DBackpropInput, { dy, filter }, {
        ...attrs,
        inputShape: x.shape,
      } as unknown as tf.NamedAttrMap) as tf.Tensor;
      const dw = engine.runKernel(tf.Conv2DBackpropFilter, { x, dy }, {
        ...attrs,
        filterShape: filter.shape,
      } as unknown as tf.NamedAttrMap) as tf.Tensor;
      return [dx, dw];
    };
    const want = await onBackend('cpu', run);
    const got = await onBackend('wasm', run);
    expect(relError(got[0], want[0])).toBeLessThan(TOL);
    expect(relError(got[1], want[1])).toBeLessThan(TOL);
  });

  const memoryCases: ConvCase[] = [
    { n: 2, h: 14, w: 14, cin: 8, cout: 8, k: 3, stride: 2, pad: 'same' },
    { n: 2, h: 9, w: 9, cin: 3, cout: 4, k: 3, stride: 2, pad: 'valid' },
    { n: 2, h: 7, w: 7, cin: 8, cout: 4, k: 1, stride: 1, pad: 'same' },
  ];
  it.each(memoryCases.map((c) => [JSON.stringify(c), c] as const))(
    'frees every intermediate: tensors and wasm data return to baseline %s',
    async (_, c) => {
      await tf.setBackend('wasm');
      const backend = tf.backend();
      // IS_TEST makes the engine check every kernel call for leaked data ids, too.
      const isTest = tf.env().getBool('IS_TEST');
      tf.env().set('IS_TEST', true);
      try {
        tf.dispose(tf.tidy(convGrads(c, 1))); // warm-up
        const tensors = tf.memory().numTensors;
        const dataIds = backend.numDataIds();
        for (let i = 0; i < 3; i++) {
          const g = tf.tidy(convGrads(c, 1));
          await Promise.all(g.map((t) => t.data()));
          tf.dispose(g);
        }
        expect(tf.memory().numTensors).toBe(tensors);
        expect(backend.numDataIds()).toBe(dataIds);
      } finally {
        tf.env().set('IS_TEST', isTest);
      }
    },
  );

  it('registration is idempotent', () => {
    expect(registerWasmTrainingKernels()).toEqual([]);
    expect(tf.getKernel(tf.Conv2DBackpropFilter, 'wasm')).toBeDefined();
  });
});
