// The per-tap weight gradient (our WebGPU Conv2DBackpropFilter) is built only from registered
// kernels, so its decomposition is checked here on the cpu backend against tfjs's own cpu
// Conv2DBackpropFilter, over the same shapes as the wasm kernels. On WebGPU itself it is checked
// through the whole U-Net's gradients by e2e/parity.spec.ts.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { conv2DBackpropFilterByTaps, conv2DBackpropFilterTapsKernel } from './convGradFilterTaps';
import { CONV_CASES, randomValues, relError } from './testing';

const TOL = 1e-5;

describe('conv2DBackpropFilterByTaps matches tfjs on cpu', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it.each(CONV_CASES.map((c, i) => [JSON.stringify(c), c, i] as const))('%s', async (_, c, i) => {
    const x = tf.tensor4d(randomValues(c.n * c.h * c.w * c.cin, 7 * i), [c.n, c.h, c.w, c.cin]);
    const filterShape: [number, number, number, number] = [c.k, c.k, c.cin, c.cout];
    const outShape = tf.conv2d(x, tf.zeros(filterShape) as tf.Tensor4D, c.stride, c.pad).shape;
    const dy = tf.tensor4d(randomValues(tf.util.sizeFromShape(outShape), 7 * i + 1), outShape);
    const want = tf
      .engine()
      .runKernel(
        tf.Conv2DBackpropFilter,
        { x, dy },
        { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', filterShape },
      ) as tf.Tensor;
    const info = tf.backend_util.computeConv2DInfo(
      x.shape,
      filterShape,
      c.stride,
      1,
      c.pad,
      undefined,
      false,
      'channelsLast',
    );
    const backend = tf.backend();
    const idsBefore = backend.numDataIds();
    const out = conv2DBackpropFilterByTaps('cpu', backend, x, dy, info);
    // Only the result is left: every intermediate was released.
    expect(backend.numDataIds()).toBe(idsBefore + 1);
    const got = tf.engine().makeTensorFromTensorInfo(out);
    expect(got.shape).toEqual(filterShape);
    expect(
      relError((await got.data()) as Float32Array, (await want.data()) as Float32Array),
    ).toBeLessThan(TOL);
    tf.dispose([x, dy, want, got]);
  });

  it('sends NCHW and gradients under minMacs to the fallback kernel', () => {
    const calls: string[] = [];
    const original = tf.getKernel(tf.Conv2DBackpropFilter, 'cpu')!.kernelFunc;
    const fallback: tf.KernelFunc = (args) => (calls.push('fallback'), original(args));
    // 3·3·2·2 taps × (1·4·4) rows = 576 multiply-adds.
    const x = tf.zeros([1, 4, 4, 2]);
    const dy = tf.zeros([1, 4, 4, 2]);
    const run = (minMacs: number, dataFormat: 'NHWC' | 'NCHW') => {
      const kernel = conv2DBackpropFilterTapsKernel('cpu', fallback, minMacs);
      const attrs = { strides: 1, pad: 'same', dataFormat, filterShape: [3, 3, 2, 2] };
      const out = kernel({ inputs: { x, dy }, backend: tf.backend(), attrs }) as tf.TensorInfo;
      tf.backend().disposeData(out.dataId);
    };
    run(576, 'NHWC');
    expect(calls).toEqual([]);
    run(577, 'NHWC');
    expect(calls).toEqual(['fallback']);
    run(0, 'NCHW');
    expect(calls).toEqual(['fallback', 'fallback']);
    tf.dispose([x, dy]);
  });

  it('refuses NCHW (the registered kernel sends it to the original)', () => {
    const info = tf.backend_util.computeConv2DInfo(
      [1, 2, 4, 4],
      [3, 3, 2, 2],
      1,
      1,
      'same',
      undefined,
      false,
      'channelsFirst',
    );
    const x = tf.zeros([1, 2, 4, 4]);
    expect(() => conv2DBackpropFilterByTaps('cpu', tf.backend(), x, x, info)).toThrow(/NHWC only/);
    x.dispose();
  });
});
