// The cpu backend's replaced Conv2DBackpropFilter (cpuKernels.ts) against tfjs's own cpu kernel,
// over strides, paddings and kernel sizes.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerCpuKernelFixes } from './cpuKernels';
import { originalKernel } from './registry';
import { randomValues, relError } from './testing';

type Pad = 'same' | 'valid' | number;

const cases: [number[], number, number, number, Pad][] = [
  // [n, h, w, cin], cout, k, stride, pad
  [[3, 7, 7, 3], 8, 3, 1, 'same'],
  [[2, 14, 14, 8], 16, 3, 2, 'same'],
  [[2, 9, 6, 16], 1, 3, 1, 'valid'],
  [[2, 8, 8, 4], 5, 2, 2, 'same'],
  [[2, 11, 11, 3], 4, 5, 2, 'same'],
  [[2, 10, 9, 3], 4, 3, 3, 'valid'],
  [[1, 9, 9, 2], 3, 3, 2, 1],
  [[2, 6, 6, 4], 4, 3, 1, 2],
  [[2, 5, 5, 6], 7, 1, 1, 'same'],
];

describe('cpu Conv2DBackpropFilter', () => {
  beforeAll(async () => {
    registerCpuKernelFixes();
    await tf.setBackend('cpu');
  });

  it.each(cases)('x %j -> %i channels, %ix%i, stride %i, pad %j', (xs, cout, k, stride, pad) => {
    const [n, h, w, cin] = xs;
    const x = tf.tensor4d(randomValues(n * h * w * cin, 1), [n, h, w, cin]);
    const filterShape: [number, number, number, number] = [k, k, cin, cout];
    const outShape = tf.conv2d(x, tf.zeros(filterShape) as tf.Tensor4D, stride, pad).shape;
    const dy = tf.tensor4d(randomValues(tf.util.sizeFromShape(outShape), 2), outShape);
    const attrs = { strides: stride, pad, dataFormat: 'NHWC', filterShape };
    const fast = tf
      .engine()
      .runKernel(
        tf.Conv2DBackpropFilter,
        { x, dy },
        attrs as unknown as tf.NamedAttrMap,
      ) as tf.Tensor;
    const info = originalKernel(
      tf.Conv2DBackpropFilter,
      'cpu',
    )({
      inputs: { x, dy },
      backend: tf.backend(),
      attrs: attrs as unknown as tf.NamedAttrMap,
    }) as tf.TensorInfo;
    const reference = tf.engine().makeTensorFromTensorInfo(info);
    expect(fast.shape).toEqual(filterShape);
    expect(
      relError(fast.dataSync() as Float32Array, reference.dataSync() as Float32Array),
    ).toBeLessThan(1e-5);
    tf.dispose([x, dy, fast, reference]);
  });
});
