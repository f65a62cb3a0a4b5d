// Replacements for tfjs-backend-wasm kernels that are slow for the shapes a U-Net's training
// step produces, written in JS on the wasm heap or as other (XNNPACK) wasm kernels:
//   Slice / SplitV  The wasm Slice starts with backend.readSync(x), a copy of the WHOLE input,
//                   for every slice: splitting Adam's flat update (1.1M values) into ~200
//                   weights took ~500 ms, and a concat's gradient (a SplitV on the channel axis)
//                   ~40 ms at 64x28x28x96. Here each slice copies only its own values.
//   Concat          copies each row with a subarray view + set; here one memmove per row.
//   Sum             Reducing leading or middle axes (a bias gradient: sum over N, H, W; an
//                   embedding broadcast's gradient: over H, W) first transposes the input with the
//                   generic wasm Transpose; here it is an XNNPACK average pool.
//   Identity, Cast  (to the same dtype) copy their input; tfjs's engine clones every tensor it
//                   saves for the backward pass (~1000 per U-Net step) and every multiply's
//                   gradient casts both inputs. Here they share the input's data, as the cpu
//                   backend's Identity does: tfjs never writes a tensor's data in place, and the
//                   wasm backend counts references per data id (its Reshape shares data too).
import * as tf from '@tensorflow/tfjs';
import { originalKernel } from './registry';
import { type BackendWasm, withWasmCalls } from './wasmCalls';

/** The wasm heap as bytes, current after any growth (HEAPU8 exists; tfjs's typings omit it). */
function heapBytes(backend: BackendWasm): Uint8Array {
  return (backend.wasm as unknown as { HEAPU8: Uint8Array }).HEAPU8;
}

/** Byte offset of a tensor's data in the wasm heap. */
function address(backend: BackendWasm, info: tf.TensorInfo): number {
  return backend.getMemoryOffset(info.dataId);
}

/**
 * Copies the box [begin, begin + size) of the tensor at byte `src` (shape `shape`) to byte `dst`,
 * row-major, with one memmove (copyWithin on the heap, no view objects) per contiguous run.
 */
function copyBox(
  heap: Uint8Array,
  src: number,
  shape: number[],
  begin: number[],
  size: number[],
  dst: number,
  bytes: number,
): void {
  const r = shape.length;
  if (r === 0) {
    heap.copyWithin(dst, src, src + bytes);
    return;
  }
  const strides = new Array<number>(r);
  strides[r - 1] = bytes;
  for (let i = r - 2; i >= 0; i--) strides[i] = strides[i + 1] * shape[i + 1];
  // Axes after d are taken whole, so each (outer index) copies one contiguous run.
  let d = r - 1;
  while (d > 0 && size[d] === shape[d]) d--;
  const run = size[d] * strides[d];
  let offset = src;
  for (let i = 0; i < r; i++) offset += begin[i] * strides[i];
  const outer = size.slice(0, d);
  const count = outer.reduce((p, q) => p * q, 1);
  const idx = new Array<number>(d).fill(0);
  let o = dst;
  for (let n = 0; n < count; n++) {
    heap.copyWithin(o, offset, offset + run);
    o += run;
    // Odometer over the outer axes.
    for (let a = d - 1; a >= 0; a--) {
      offset += strides[a];
      if (++idx[a] < outer[a]) break;
      offset -= idx[a] * strides[a];
      idx[a] = 0;
    }
  }
}

function sliceInfo(
  backend: BackendWasm,
  x: tf.TensorInfo,
  begin: number[],
  size: number[],
): tf.TensorInfo {
  const out = backend.makeOutput(size, x.dtype);
  if (tf.util.sizeFromShape(size) > 0) {
    const bytes = tf.util.bytesPerElement(x.dtype);
    const heap = heapBytes(backend);
    copyBox(heap, address(backend, x), x.shape, begin, size, address(backend, out), bytes);
  }
  return out;
}

export const sliceWasm: tf.KernelFunc = (args) => {
  const x = args.inputs.x as tf.TensorInfo;
  if (x.dtype === 'string') return originalKernel(tf.Slice, 'wasm')(args);
  const { begin, size } = args.attrs as unknown as tf.SliceAttrs;
  const [b, s] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
  return sliceInfo(args.backend as BackendWasm, x, b, s);
};

export const splitVWasm: tf.KernelFunc = (args) => {
  const x = args.inputs.x as tf.TensorInfo;
  if (x.dtype === 'string') return originalKernel(tf.SplitV, 'wasm')(args);
  const { numOrSizeSplits, axis } = args.attrs as unknown as tf.SplitVAttrs;
  const ax = tf.util.parseAxisParam(axis, x.shape)[0];
  const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, ax);
  const begin = new Array<number>(x.shape.length).fill(0);
  return sizes.map((s) => {
    const size = [...x.shape];
    size[ax] = s;
    const out = sliceInfo(args.backend as BackendWasm, x, [...begin], size);
    begin[ax] += s;
    return out;
  });
};

/**
 * Sum of a float32 tensor over a contiguous block of axes that excludes the last one, seen as
 * [outer, mid, inner] -> [outer, inner]: an XNNPACK average pool over a [mid, 1] window of
 * [outer, mid, 1, inner], times mid (0.2 ms instead of ~8 ms for 64x28x28x32 -> 32; float32
 * accumulation, ~1e-6 relative here). Anything else goes to the original kernel, which is fast
 * when the reduced axes are the innermost ones.
 */
export const sumWasm: tf.KernelFunc = (args) => {
  const x = args.inputs.x as tf.TensorInfo;
  const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
  const r = x.shape.length;
  const axes = tf.util.parseAxisParam(axis, x.shape).sort((p, q) => p - q);
  const contiguous = axes.every((a, i) => i === 0 || a === axes[i - 1] + 1);
  const size = tf.util.sizeFromShape(x.shape);
  if (
    x.dtype !== 'float32' ||
    size === 0 ||
    axes.length === 0 ||
    !contiguous ||
    axes[axes.length - 1] === r - 1
  ) {
    return originalKernel(tf.Sum, 'wasm')(args);
  }
  const first = axes[0];
  const last = axes[axes.length - 1];
  const outer = tf.util.sizeFromShape(x.shape.slice(0, first));
  const mid = tf.util.sizeFromShape(x.shape.slice(first, last + 1));
  const inner = size / (outer * mid);
  const outShape = keepDims
    ? x.shape.map((s, i) => (i >= first && i <= last ? 1 : s))
    : x.shape.filter((_, i) => i < first || i > last);
  return withWasmCalls(args.backend, (calls) => {
    const x4 = calls.run('Reshape', { x }, { shape: [outer, mid, 1, inner] });
    const mean = calls.run(
      'AvgPool',
      { x: x4 },
      { filterSize: [mid, 1], strides: [mid, 1], pad: 'valid' },
    );
    const count = calls.alloc([]);
    calls.view(count)[0] = mid;
    const sum = calls.run('Multiply', { a: mean, b: count });
    return calls.run('Reshape', { x: sum }, { shape: outShape });
  });
};

function alias(backend: BackendWasm, x: tf.TensorInfo): tf.TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

export const identityWasm: tf.KernelFunc = (args) => {
  const x = args.inputs.x as tf.TensorInfo;
  if (x.dtype === 'string') return originalKernel(tf.Identity, 'wasm')(args);
  return alias(args.backend as BackendWasm, x);
};

export const castWasm: tf.KernelFunc = (args) => {
  const x = args.inputs.x as tf.TensorInfo;
  const { dtype } = args.attrs as unknown as tf.CastAttrs;
  if (x.dtype === 'string' || dtype !== x.dtype) return originalKernel(tf.Cast, 'wasm')(args);
  return alias(args.backend as BackendWasm, x);
};

/** Concatenation of non-string tensors along one axis: one memmove per input and outer index. */
export const concatWasm: tf.KernelFunc = (args) => {
  const inputs = (args.inputs as unknown as tf.TensorInfo[]).filter(
    (t) => tf.util.sizeFromShape(t.shape) > 0,
  );
  if (inputs.length < 2 || inputs[0].dtype === 'string') {
    return originalKernel(tf.Concat, 'wasm')(args);
  }
  const { axis } = args.attrs as unknown as tf.ConcatAttrs;
  const ax = tf.util.parseAxisParam(axis, inputs[0].shape)[0];
  const shapes = inputs.map((t) => t.shape);
  tf.backend_util.assertParamsConsistent(shapes, ax);
  const outShape = tf.backend_util.computeOutShape(shapes, ax);
  const backend = args.backend as BackendWasm;
  const out = backend.makeOutput(outShape, inputs[0].dtype);
  const bytes = tf.util.bytesPerElement(inputs[0].dtype);
  const outer = tf.util.sizeFromShape(outShape.slice(0, ax));
  const runs = inputs.map((t) => tf.util.sizeFromShape(t.shape.slice(ax)) * bytes);
  const heap = heapBytes(backend);
  let o = address(backend, out);
  const srcs = inputs.map((t) => address(backend, t));
  for (let i = 0; i < outer; i++) {
    for (let j = 0; j < inputs.length; j++) {
      const from = srcs[j] + i * runs[j];
      heap.copyWithin(o, from, from + runs[j]);
      o += runs[j];
    }
  }
  return out;
};
