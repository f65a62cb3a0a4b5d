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
import { windowedFilterGrad3x3 } from './convGradFilter';
import { withWasmCalls } from './wasmCalls';
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

  // The windowed GEMM gradient (3x3, stride 1, same) is what the kernel uses from 14x14 up on
  // one thread (the cases above reach it); here directly, on shapes and chunkings the cases
  // do not: non-square planes, one channel in or out, a last chunk smaller than the others.
  const windowCases: [ConvCase, number][] = [
    [{ n: 3, h: 9, w: 6, cin: 4, cout: 5, k: 3, stride: 1, pad: 'same' }, 2],
    [{ n: 3, h: 5, w: 8, cin: 1, cout: 6, k: 3, stride: 1, pad: 'same' }, 1],
    [{ n: 4, h: 6, w: 6, cin: 7, cout: 1, k: 3, stride: 1, pad: 'same' }, 3],
    [{ n: 2, h: 14, w: 14, cin: 8, cout: 8, k: 3, stride: 1, pad: 'same' }, 2],
  ];
  it.each(windowCases.map(([c, nb]) => [JSON.stringify(c), nb, c] as const))(
    'windowed 3x3 weight gradient matches cpu: %s, %i images per chunk',
    async (_, nb, c) => {
      const seed = 7 + c.h * c.w;
      const want = await onBackend('cpu', convGrads(c, seed));
      const got = await onBackend('wasm', () => {
        const x = tf.tensor4d(randomValues(c.n * c.h * c.w * c.cin, seed), [c.n, c.h, c.w, c.cin]);
        // dy of sum(conv(x, w) * r) is r, as convGrads builds it.
        const r = tf.tensor4d(randomValues(c.n * c.h * c.w * c.cout, seed + 2), [
          c.n,
          c.h,
          c.w,
          c.cout,
        ]);
        const info = withWasmCalls(tf.backend(), (calls) => windowedFilterGrad3x3(calls, x, r, nb));
        return [tf.engine().makeTensorFromTensorInfo(info)];
      });
      expect(relError(got[0], want[1]), 'dw').toBeLessThan(TOL);
    },
  );

  const memoryCases: ConvCase[] = [
    { n: 2, h: 14, w: 14, cin: 8, cout: 8, k: 3, stride: 1, pad: 'same' },
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
