// Registers the kernels that make training on tfjs-backend-wasm possible and fast:
//   Conv2DBackpropFilter       missing (training a conv throws without it)               -> added
//   Conv2DBackpropInput        a slow loop (555 ms vs 36 ms for the forward, FINDINGS)  -> replaced
//   UnsortedSegmentSum         missing (tf.gather's gradient needs it)                  -> added
//   ResizeNearestNeighborGrad  ignores halfPixelCenters; a slow loop for 2x upsampling  -> wrapped
//   BatchMatMul                naive loop when transposed or batched (matMul.ts)        -> replaced
//   Slice, SplitV              copy the whole input per slice (heapKernels.ts)          -> replaced
//   Concat                     a view object per copied row                             -> replaced
//   Transpose                  cache-hostile for big 2-D and NHWC -> CHWN (transpose.ts) -> wrapped
//   Sum                        transposes first unless the reduced axes are innermost   -> wrapped
//   Identity, Cast             copy (same dtype); the engine clones every saved tensor  -> aliased
//   GroupNorm (+ SiLU)         a fused kernel and its gradient (groupNormKernels.ts)    -> added
//   Conv2D, FusedConv2D        3×3 stride-1 'same': Winograd in wasm SIMD (conv3x3.ts)  -> wrapped
// Everything else a U-Net's gradient uses already exists on wasm (see unetOps.test.ts).
import * as tf from '@tensorflow/tfjs';
// Side effect: registers the wasm backend and its own kernels, so there is an original to replace.
import '@tensorflow/tfjs-backend-wasm';
import { conv2DBackpropFilterWasm } from './convGradFilter';
import { conv2DBackpropInputNHWC } from './convGradInput';
import { asBackprop, conv2DWasm, fusedConv2DWasm } from './conv3x3';
import { groupNormKernels, registerGroupNormGradient } from './groupNormKernels';
import { castWasm, concatWasm, identityWasm, sliceWasm, splitVWasm, sumWasm } from './heapKernels';
import { batchMatMulWasm } from './matMul';
import { transposeWasm } from './transpose';
import { originalKernel, replaceKernel } from './registry';
import { blockFactors, resizeGradArgs, resizeGradOnCpuMemory } from './resizeGrad';
import { unsortedSegmentSumWasm } from './segmentSum';
import { type BackendWasm, withWasmCalls } from './wasmCalls';

const WASM = 'wasm';

function convInfo(
  inShape: number[],
  filterShape: number[],
  attrs: tf.Conv2DBackpropInputAttrs | tf.Conv2DBackpropFilterAttrs,
) {
  return tf.backend_util.computeConv2DInfo(
    inShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    1, // conv2d's gradient asserts dilation 1, so its backprop kernels carry no dilations
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    tf.backend_util.convertConv2DDataFormat(attrs.dataFormat ?? 'NHWC'),
  );
}

function input(inputs: tf.NamedTensorInfoMap, name: string): tf.TensorInfo {
  const t = inputs[name];
  if (t === undefined) throw new Error(`wasm training kernel: missing input '${name}'`);
  return t;
}

const backpropInput: tf.KernelFunc = (args) => {
  const { inputs, backend, attrs } = args;
  const dy = input(inputs, 'dy');
  const filter = input(inputs, 'filter');
  const a = attrs as unknown as tf.Conv2DBackpropInputAttrs;
  if ((a.dataFormat ?? 'NHWC') === 'NHWC' && dy.dtype === 'float32' && filter.dtype === 'float32') {
    const info = convInfo(a.inputShape, filter.shape, a);
    return asBackprop(() => conv2DBackpropInputNHWC(backend, dy, filter, info));
  }
  // NCHW (which wasm's forward Conv2D rejects anyway) or non-float: the original loop.
  return originalKernel(tf.Conv2DBackpropInput, WASM)(args);
};

const backpropFilter: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const x = input(inputs, 'x');
  const a = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const dy = input(inputs, 'dy');
  const info = convInfo(x.shape, a.filterShape, a);
  return asBackprop(() => conv2DBackpropFilterWasm(backend, x, dy, info));
};

const segmentSum: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { numSegments } = attrs as unknown as tf.UnsortedSegmentSumAttrs;
  const x = input(inputs, 'x');
  return unsortedSegmentSumWasm(backend, x, input(inputs, 'segmentIds'), numSegments);
};

/** dx = (fh * fw) * AvgPool(dy) over fh x fw blocks: an XNNPACK pool, ~50x faster. */
function blockSumGrad(backend: unknown, dy: tf.TensorInfo, [fh, fw]: [number, number]) {
  return withWasmCalls(backend, (calls) => {
    const pool = { filterSize: [fh, fw], strides: [fh, fw], pad: 'valid' };
    const mean = calls.run('AvgPool', { x: dy }, pool);
    const count = calls.alloc([]);
    calls.view(count)[0] = fh * fw;
    return calls.run('Multiply', { a: mean, b: count });
  });
}

const resizeNearestGrad: tf.KernelFunc = (args) => {
  const r = resizeGradArgs(args.inputs, args.attrs);
  const blocks = r.dy.dtype === 'float32' ? blockFactors(r) : null;
  if (blocks !== null) return blockSumGrad(args.backend, r.dy, blocks);
  // The native kernel is right (and in C++) unless halfPixelCenters is set.
  if (!r.halfPixelCenters) return originalKernel(tf.ResizeNearestNeighborGrad, WASM)(args);
  const backend = args.backend as BackendWasm;
  const dx = resizeGradOnCpuMemory(backend, r);
  return backend.makeOutput(r.images.shape, 'float32', undefined, dx);
};

const batchMatMul: tf.KernelFunc = (args) => {
  const a = input(args.inputs, 'a');
  const b = input(args.inputs, 'b');
  if (a.dtype !== 'float32' || b.dtype !== 'float32') {
    return originalKernel(tf.BatchMatMul, WASM)(args);
  }
  const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
  return batchMatMulWasm(args.backend, a, b, transposeA, transposeB);
};

/**
 * Registers the wasm training kernels above. Idempotent; call before or after
 * tf.setBackend('wasm'). Returns the names of the kernels it (re)registered on this call.
 */
export function registerWasmTrainingKernels(): string[] {
  const kernels: [string, tf.KernelFunc][] = [
    [tf.Conv2DBackpropInput, backpropInput],
    [tf.Conv2DBackpropFilter, backpropFilter],
    [tf.ResizeNearestNeighborGrad, resizeNearestGrad],
    [tf.BatchMatMul, batchMatMul],
    [tf.Slice, sliceWasm],
    [tf.SplitV, splitVWasm],
    [tf.Concat, concatWasm],
    [tf.Transpose, transposeWasm],
    [tf.Sum, sumWasm],
    [tf.Identity, identityWasm],
    [tf.Cast, castWasm],
    [tf.Conv2D, conv2DWasm],
    [tf.FusedConv2D, fusedConv2DWasm],
    ...groupNormKernels,
  ];
  registerGroupNormGradient();
  // Never replace a native UnsortedSegmentSum, should a later tfjs version ship one.
  const seg = tf.getKernel(tf.UnsortedSegmentSum, WASM);
  if (seg === undefined || seg.kernelFunc === segmentSum) {
    kernels.push([tf.UnsortedSegmentSum, segmentSum]);
  }
  return kernels.filter(([name, f]) => replaceKernel(name, WASM, f)).map(([name]) => name);
}
