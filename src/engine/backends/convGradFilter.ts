// Fast Conv2DBackpropFilter (the weight gradient of conv2d) for the wasm backend, which has no
// such kernel at all (FINDINGS: training a conv on wasm fails without it).
//
//   dw[kh, kw, ci, co] = sum_{n, oh, ow} x[n, oh*s + kh - top, ow*s + kw - left, ci] * dy[n, oh, ow, co]
//
// is itself a forward conv in which the batch plays the part of the channels:
//   input  x^T  [Cin, H, W, N]     (batch Cin, channels N)
//   filter dy^T [OH, OW, N, Cout]
//   conv, dilation = stride, explicit padding  ->  [Cin, KH, KW, Cout]  ->  transpose to dw.
// FINDINGS: 64 ms for 3x3 32->32, batch 64, 32x32 (transposes included), against 179 ms just to
// build im2col patches and 344-1042 ms for the transposeA matMul that would follow.
import * as tf from '@tensorflow/tfjs';
import { type WasmCalls, withWasmCalls } from './wasmCalls';

/**
 * 1x1 kernel, stride 1, no padding (NHWC): dw = x^T dy as one GEMM [Cin, M] x [M, Cout], M = N*H*W.
 * The conv formulation is at its worst here (an H x W "filter" for a 1x1 output): measured 3-10x
 * slower than this 2-D transpose (fast on wasm) + BatchMatMul, e.g. 10.4 vs 1.0 ms at 7x7x64, n 64.
 */
function pointwiseFilterGrad(
  calls: WasmCalls,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  m: number,
): tf.TensorInfo {
  const cin = x.shape[3];
  const cout = dy.shape[3];
  const x2 = calls.run('Reshape', { x }, { shape: [m, cin] });
  const xt = calls.run('Transpose', { x: x2 }, { perm: [1, 0] });
  const a = calls.run('Reshape', { x: xt }, { shape: [1, cin, m] });
  const b = calls.run('Reshape', { x: dy }, { shape: [1, m, cout] });
  const dw = calls.run('BatchMatMul', { a, b }, { transposeA: false, transposeB: false });
  return calls.run('Reshape', { x: dw }, { shape: [1, 1, cin, cout] });
}

/** Weight gradient of a float32 conv2d with dilation 1; NHWC or NCHW, any stride and padding. */
export function conv2DBackpropFilterWasm(
  backend: unknown,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): tf.TensorInfo {
  const nhwc = info.dataFormat === 'channelsLast';
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { inHeight: h, inWidth: w, outHeight: oh, outWidth: ow } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  // Padding that makes the output exactly kh x kw; negative: those x rows are never read.
  const bottom = (oh - 1) * sh + kh - h - top;
  const right = (ow - 1) * sw + kw - w - left;
  const pointwise = nhwc && kh === 1 && kw === 1 && sh === 1 && sw === 1 && top === 0 && left === 0;
  return withWasmCalls(backend, (calls) => {
    if (pointwise && oh === h && ow === w) {
      return pointwiseFilterGrad(calls, x, dy, info.batchSize * h * w);
    }
    let xt = calls.run('Transpose', { x }, { perm: nhwc ? [3, 1, 2, 0] : [1, 2, 3, 0] });
    const dyt = calls.run('Transpose', { x: dy }, { perm: nhwc ? [1, 2, 0, 3] : [2, 3, 0, 1] });
    if (bottom < 0 || right < 0) {
      const [cin, , , n] = xt.shape;
      const size = [cin, h + Math.min(0, bottom), w + Math.min(0, right), n];
      xt = calls.run('Slice', { x: xt }, { begin: [0, 0, 0, 0], size });
    }
    const dwt = calls.run(
      'Conv2D',
      { x: xt, filter: dyt },
      {
        strides: [1, 1],
        pad: [
          [0, 0],
          [top, Math.max(0, bottom)],
          [left, Math.max(0, right)],
          [0, 0],
        ],
        dilations: [sh, sw],
        dataFormat: 'NHWC',
      },
    );
    return calls.run('Transpose', { x: dwt }, { perm: [1, 2, 0, 3] });
  });
}
