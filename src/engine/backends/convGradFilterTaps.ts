// Conv2DBackpropFilter (the weight gradient of conv2d) as one matrix product per filter tap,
// for GPU backends. tfjs-backend-webgpu 4.22's own kernel (Conv2DDerFilterProgram) gives each of
// the KH·KW·Cin·Cout filter elements one invocation that loops serially over N·OH·OW: a few
// thousand long serial loops (FINDINGS, "WebGPU training kernels"). Per tap (kh, kw):
//
//   dw[kh, kw, :, :] = X_tap^T · dY,   X_tap [M, Cin] = x_pad[:, kh + s·oh, kw + s·ow, :],
//                                      dY    [M, Cout], M = N·OH·OW
//
// a [Cin × M] · [M × Cout] product with a long inner dimension, which tfjs's BatchMatMul runs as
// its split-K program (the inner dimension cut over workgroups, accumulated with atomics) when the
// output is small. Built only from registered kernels of the same backend (PadV2, Slice or
// StridedSlice, Reshape, BatchMatMul, Concat), so it works, and is tested, on any backend.
import * as tf from '@tensorflow/tfjs';
import { type KernelCalls, withKernelCalls } from './kernelCalls';

/** One tap's input rows X_tap as [1, M, Cin] (NHWC x_pad, stride (sh, sw)). */
function tapRows(
  calls: KernelCalls,
  xp: tf.TensorInfo,
  i: number,
  j: number,
  info: tf.backend_util.Conv2DInfo,
): tf.TensorInfo {
  const { batchSize: n, outHeight: oh, outWidth: ow, inChannels: cin } = info;
  const { strideHeight: sh, strideWidth: sw } = info;
  const rows = (oh - 1) * sh + 1;
  const cols = (ow - 1) * sw + 1;
  const [, ph, pw] = xp.shape;
  let tap = xp;
  if (i !== 0 || j !== 0 || rows !== ph || cols !== pw || sh !== 1 || sw !== 1) {
    tap =
      sh === 1 && sw === 1
        ? calls.run('Slice', { x: xp }, { begin: [0, i, j, 0], size: [n, oh, ow, cin] })
        : calls.run(
            'StridedSlice',
            { x: xp },
            {
              begin: [0, i, j, 0],
              end: [n, i + rows, j + cols, cin],
              strides: [1, sh, sw, 1],
              beginMask: 0,
              endMask: 0,
              ellipsisMask: 0,
              newAxisMask: 0,
              shrinkAxisMask: 0,
            },
          );
  }
  return calls.run('Reshape', { x: tap }, { shape: [1, n * oh * ow, cin] });
}

/**
 * Weight gradient of a float32 NHWC conv2d with dilation 1, any stride and padding, on
 * `backendName`'s own kernels. Returns [KH, KW, Cin, Cout], owned by the caller.
 */
export function conv2DBackpropFilterByTaps(
  backendName: string,
  backend: unknown,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): tf.TensorInfo {
  if (info.dataFormat !== 'channelsLast') throw new Error('conv2DBackpropFilterByTaps: NHWC only');
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { inHeight: h, inWidth: w, outHeight: oh, outWidth: ow } = info;
  const { inChannels: cin, outChannels: cout, batchSize: n } = info;
  const { top, left } = info.padInfo;
  // Padding that makes every tap's rows exist; negative: those x rows are never read.
  const bottom = Math.max(0, (oh - 1) * sh + kh - h - top);
  const right = Math.max(0, (ow - 1) * sw + kw - w - left);
  return withKernelCalls(backendName, backend, (calls) => {
    const xp =
      top > 0 || left > 0 || bottom > 0 || right > 0
        ? calls.run(
            'PadV2',
            { x },
            {
              paddings: [
                [0, 0],
                [top, bottom],
                [left, right],
                [0, 0],
              ],
              constantValue: 0,
            },
          )
        : x;
    const dyRows = calls.run('Reshape', { x: dy }, { shape: [1, n * oh * ow, cout] });
    const taps: tf.TensorInfo[] = [];
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const a = tapRows(calls, xp, i, j, info);
        taps.push(
          calls.run('BatchMatMul', { a, b: dyRows }, { transposeA: true, transposeB: false }),
        );
      }
    }
    const stacked =
      taps.length === 1
        ? taps[0]
        : calls.run('Concat', taps as unknown as tf.NamedTensorInfoMap, { axis: 0 });
    return calls.run('Reshape', { x: stacked }, { shape: [kh, kw, cin, cout] });
  });
}

/**
 * A Conv2DBackpropFilter kernelFunc for `backendName`. NCHW, non-float32 and small gradients
 * (fewer than `minMacs` multiply-adds, KH·KW·Cin·Cout·N·OH·OW) go to `fallback`: each tap costs
 * a few dispatches, which only pay off when there is work to spread.
 */
export function conv2DBackpropFilterTapsKernel(
  backendName: string,
  fallback: tf.KernelFunc,
  minMacs = 0,
): tf.KernelFunc {
  return (args) => {
    const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const a = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    const format = tf.backend_util.convertConv2DDataFormat(a.dataFormat);
    if (format !== 'channelsLast' || x.dtype !== 'float32') return fallback(args);
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      a.filterShape,
      a.strides,
      1,
      a.pad,
      a.dimRoundingMode,
      false,
      format,
    );
    const { filterHeight, filterWidth, inChannels, outChannels } = info;
    const rows = info.batchSize * info.outHeight * info.outWidth;
    if (filterHeight * filterWidth * inChannels * outChannels * rows < minMacs)
      return fallback(args);
    return conv2DBackpropFilterByTaps(backendName, args.backend, x, dy, info);
  };
}
