// Fixes for the cpu backend (the last fallback, and the reference of our parity tests):
//   ResizeNearestNeighborGrad  wrong for batch > 1 in tfjs 4.22 (see resizeGrad.ts)
//   Conv2DBackpropFilter       a loop ordered so that it ran at ~12 MFLOP/s: 300 ms for one
//                              3x3 16->16 conv at 4x14x14, 80% of a tiny U-Net's training
//                              step. Here (NHWC) the innermost loop runs over output channels,
//                              contiguous in dy and dw: ~100x faster.
import * as tf from '@tensorflow/tfjs';
import { originalKernel, replaceKernel } from './registry';
import { resizeGradArgs, resizeGradOnCpuMemory } from './resizeGrad';

interface CpuBackend {
  readSync(dataId: object): tf.backend_util.BackendValues;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}

const resizeNearestGradCpu: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const args = resizeGradArgs(inputs, attrs);
  const cpu = backend as CpuBackend;
  return cpu.makeTensorInfo(args.images.shape, 'float32', resizeGradOnCpuMemory(cpu, args));
};

/**
 * dw[kh, kw, ci, co] = sum_{n, oh, ow} x[n, oh*sh + kh*dh - top, ow*sw + kw*dw - left, ci]
 *                                     * dy[n, oh, ow, co]   (NHWC, float64 accumulators)
 */
export function conv2DBackpropFilterValues(
  x: ArrayLike<number>,
  dy: ArrayLike<number>,
  info: tf.backend_util.Conv2DInfo,
): Float32Array {
  const { batchSize, inHeight, inWidth, inChannels: cin, outChannels: cout } = info;
  const { outHeight, outWidth, filterHeight: kh, filterWidth: kw } = info;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { top, left } = info.padInfo;
  const acc = new Float64Array(kh * kw * cin * cout);
  for (let n = 0; n < batchSize; n++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++) {
        const dyBase = ((n * outHeight + oh) * outWidth + ow) * cout;
        for (let i = 0; i < kh; i++) {
          const ih = oh * sh + i * dh - top;
          if (ih < 0 || ih >= inHeight) continue;
          for (let j = 0; j < kw; j++) {
            const iw = ow * sw + j * dw - left;
            if (iw < 0 || iw >= inWidth) continue;
            const xBase = ((n * inHeight + ih) * inWidth + iw) * cin;
            const wBase = (i * kw + j) * cin * cout;
            for (let c = 0; c < cin; c++) {
              const xv = x[xBase + c];
              const o = wBase + c * cout;
              for (let k = 0; k < cout; k++) acc[o + k] += xv * dy[dyBase + k];
            }
          }
        }
      }
    }
  }
  return Float32Array.from(acc);
}

const conv2DBackpropFilterCpu: tf.KernelFunc = (args) => {
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const a = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const format = a.dataFormat ?? 'NHWC';
  if (format !== 'NHWC' || x.dtype !== 'float32' || dy.dtype !== 'float32') {
    return originalKernel(tf.Conv2DBackpropFilter, 'cpu')(args);
  }
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    a.filterShape,
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
  );
  const cpu = args.backend as CpuBackend;
  const values = conv2DBackpropFilterValues(
    cpu.readSync(x.dataId) as Float32Array,
    cpu.readSync(dy.dataId) as Float32Array,
    info,
  );
  return cpu.makeTensorInfo(a.filterShape, 'float32', values);
};

/** Idempotent. Returns the names of the kernels it (re)registered on this call. */
export function registerCpuKernelFixes(): string[] {
  const kernels: [string, tf.KernelFunc][] = [
    [tf.ResizeNearestNeighborGrad, resizeNearestGradCpu],
    [tf.Conv2DBackpropFilter, conv2DBackpropFilterCpu],
  ];
  return kernels.filter(([name, f]) => replaceKernel(name, 'cpu', f)).map(([name]) => name);
}
