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
// On one thread a 3x3 stride-1 'same' gradient with channel counts that allow it goes to the
// Winograd kernel (conv3x3.ts: winogradFilterGrad), 1.7x faster than the windowed GEMMs below.
import * as tf from '@tensorflow/tfjs';
import { winogradFilterGrad } from './conv3x3';
import { originalKernel } from './registry';
import { type WasmCalls, withWasmCalls } from './wasmCalls';
import { wasmThreadsInUse } from './wasmThreads';

/**
 * Images per GEMM chunk of the windowed gradient: the chunk's dy rows (the GEMM's packed
 * operand) stay near 1 MB, so they are re-read from cache rather than memory.
 */
const WINDOW_CHUNK_FLOATS = 1 << 18;

/** Smallest output plane the windowed gradient is used for: at 7x7 its padding costs 31%. */
const WINDOW_MIN_PIXELS = 14 * 14;

/**
 * 3x3, stride 1, padding 1 ("same"), NHWC: dw as nine plain GEMMs per chunk of images, one per
 * filter tap, none of them copying x per tap. x^T is laid out per input channel as the chunk's
 * images with one zero row above and one zero column left of each ([Cin + 1, nb, H+1, W+1]
 * flattened; the extra channel is a zero tail), and dy with a zero row and column after each
 * image ([nb, H+1, W+1, Cout]). In that layout the input pixel under tap (kh, kw) of output
 * pixel q sits at q + kh(W+1) + kw: a fixed shift for the whole plane, so
 *   dw[kh, kw] = X[:, shift : shift + L] · dyP      (X: [Cin, L] rows of stride L, L = nb(H+1)(W+1))
 * where the shifted X is a window (WasmCalls.window) on the padded x^T, and every position
 * whose dyP row is the zero padding contributes nothing, whatever the window reads there.
 * XNNPACK packs dyP once for the nine taps (its operator is cached under dyP's id).
 * Against the conv formulation below (which packs dy as a convolution filter every call):
 * 18-25% faster at 28x28 and ~10% at 14x14, batch 64, measured on one thread.
 */
export function windowedFilterGrad3x3(
  calls: WasmCalls,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  imagesPerChunk?: number,
): tf.TensorInfo {
  const [n, h, w, cin] = x.shape;
  const cout = dy.shape[3];
  const plane = (h + 1) * (w + 1);
  const nb = imagesPerChunk ?? Math.max(1, Math.floor(WINDOW_CHUNK_FLOATS / (plane * cout)));
  const matMul = originalKernel(tf.BatchMatMul, 'wasm');
  const dyp = calls.run(
    'PadV2',
    { x: dy },
    {
      paddings: [
        [0, 0],
        [0, 1],
        [0, 1],
        [0, 0],
      ],
      constantValue: 0,
    },
  );
  let sum: tf.TensorInfo | null = null;
  for (let first = 0; first < n; first += nb) {
    const m = Math.min(nb, n - first);
    const xs =
      m === n ? x : calls.run('Slice', { x }, { begin: [first, 0, 0, 0], size: [m, h, w, cin] });
    const xt = calls.run('Transpose', { x: xs }, { perm: [3, 0, 1, 2] });
    const xp = calls.run(
      'PadV2',
      { x: xt },
      {
        paddings: [
          [0, 1],
          [0, 0],
          [1, 0],
          [1, 0],
        ],
        constantValue: 0,
      },
    );
    const rows = m * plane;
    const b = calls.window(dyp, first * plane * cout, [1, rows, cout]);
    const taps: tf.TensorInfo[] = [];
    for (let kh = 0; kh < 3; kh++) {
      for (let kw = 0; kw < 3; kw++) {
        const a = calls.window(xp, kh * (w + 1) + kw, [1, cin, rows]);
        taps.push(calls.runFunc(matMul, { a, b }, { transposeA: false, transposeB: false }));
      }
    }
    const chunk = calls.run('Concat', taps as unknown as tf.NamedTensorInfoMap, { axis: 0 });
    sum = sum === null ? chunk : calls.run('Add', { a: sum, b: chunk });
  }
  return calls.run('Reshape', { x: sum! }, { shape: [3, 3, cin, cout] });
}

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
  // The windowed GEMMs run on one thread (tfjs's XNNPACK GEMM is given no thread pool), the
  // convolution on all of them: with threads the convolution stays.
  const sameSize3x3 =
    nhwc &&
    kh === 3 &&
    kw === 3 &&
    sh === 1 &&
    sw === 1 &&
    top === 1 &&
    left === 1 &&
    oh === h &&
    ow === w;
  const windowed =
    sameSize3x3 &&
    oh * ow >= WINDOW_MIN_PIXELS &&
    x.dtype === 'float32' &&
    wasmThreadsInUse() === 1;
  return withWasmCalls(backend, (calls) => {
    if (pointwise && oh === h && ow === w) {
      return pointwiseFilterGrad(calls, x, dy, info.batchSize * h * w);
    }
    if (sameSize3x3) {
      const dw = winogradFilterGrad(calls, x, dy);
      if (dw !== null) return dw;
    }
    if (windowed) return windowedFilterGrad3x3(calls, x, dy);
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
