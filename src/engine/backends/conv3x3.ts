// Conv2D and FusedConv2D for the wasm backend: a 3×3, stride-1, 'same' convolution of NHWC
// float32 (a bias, no activation; every 3×3 conv of the U-Nets here past their first) goes to
// this project's SIMD kernel, Winograd's F(2×2, 3×3) (assembly/winograd.ts): 4 multiply-adds per
// output and input channel instead of 9, 1.4-1.8× XNNPACK's speed on one thread at the MNIST
// model's 14×14 convs, 1.2-1.5× at 7×7 (where tiles of 2×2 leave a column and a row over).
// Everything else goes to tfjs's own kernel. winogradFilterGrad is the weight gradient by the
// same algorithm (convGradFilter.ts calls it).
//
// Where it runs decides the bits of every image, so it is chosen the same way in every worker:
// always outside gradient computation (a sampling pass, on the threaded compute worker as on the
// sampling workers, so the workers still change no pixel), and inside it too on the
// single-threaded binary. Only a gradient computation where XNNPACK has a pool of more than one
// thread keeps XNNPACK, which spreads a convolution over the pool (these kernels run on one
// thread); the threaded binary with a pool of one trains on them too.
import * as tf from '@tensorflow/tfjs';
import { originalKernel } from './registry';
import { simdKernels, type SimdKernels } from './simdKernels';
import { type BackendWasm, type WasmCalls, withWasmCalls } from './wasmCalls';

const WASM = 'wasm';

/**
 * Tiles per chunk: the chunk's transformed input and products stay in L2 (~150 KB at 72 → 48
 * channels); 16 and 64 measured no better.
 */
const TILES = 32;

/** Fewer input channels and the transforms cost what the products save (4 → 24: 0.29 ms each way). */
const MIN_CIN = 8;

type ConvAttrs = Pick<tf.Conv2DAttrs, 'strides' | 'pad' | 'dataFormat' | 'dilations'>;

let enabled = true;

/**
 * Turns the Winograd kernel off (false: tfjs's XNNPACK convolution) or on again, for tests and
 * benches that compare the two; returns the previous setting.
 */
export function setWinogradConv(on: boolean): boolean {
  const was = enabled;
  enabled = on;
  return was;
}

const isOne = (v: number | [number, number] | undefined) =>
  v === undefined || (typeof v === 'number' ? v === 1 : v[0] === 1 && v[1] === 1);

/** 'same' for a 3×3 kernel: one zero row and column on every side ('same', or explicit). */
function samePad(pad: ConvAttrs['pad']): boolean {
  if (pad === 'same') return true;
  if (!Array.isArray(pad) || pad.length !== 4) return false;
  const ones = (p: number[] | undefined) => p !== undefined && p[0] === 1 && p[1] === 1;
  return ones(pad[1]) && ones(pad[2]) && pad[0][0] === 0 && pad[0][1] === 0;
}

let backpropDepth = 0;

/**
 * Runs fn as part of a gradient's backward pass (the input gradient kernel's convolutions): on
 * the threaded binary they stay with XNNPACK, as the forward under a tape does.
 */
export function asBackprop<T>(fn: () => T): T {
  backpropDepth++;
  try {
    return fn();
  } finally {
    backpropDepth--;
  }
}

/**
 * Whether this conv is part of a gradient computation: its forward pass under a tape
 * (gradientDepth, which tfjs raises while it records) or its backward pass (asBackprop).
 */
function inGradient(): boolean {
  return tf.engine().state.gradientDepth > 0 || backpropDepth > 0;
}

/** The kernels for this conv, or null where tfjs's own must run it. */
function kernelFor(
  backend: unknown,
  x: tf.TensorInfo,
  filter: tf.TensorInfo,
  bias: tf.TensorInfo | undefined,
  a: ConvAttrs,
): SimdKernels | null {
  const [fh, fw, cin, cout] = filter.shape;
  const ok =
    enabled &&
    x.dtype === 'float32' &&
    filter.dtype === 'float32' &&
    x.shape.length === 4 &&
    fh === 3 &&
    fw === 3 &&
    x.shape[3] === cin &&
    cin >= MIN_CIN &&
    cin % 4 === 0 &&
    cout % 4 === 0 &&
    (a.dataFormat ?? 'NHWC') === 'NHWC' &&
    samePad(a.pad) &&
    isOne(a.strides) &&
    isOne(a.dilations) &&
    (bias === undefined ||
      (bias.dtype === 'float32' && tf.util.sizeFromShape(bias.shape) === cout));
  if (!ok) return null;
  const simd = simdKernels(backend as BackendWasm);
  if (simd === null || (simd.threaded && inGradient())) return null;
  return simd;
}

/** out = conv(x, filter) + bias by F(2×2, 3×3), in chunks of TILES tiles. */
function winograd(
  calls: WasmCalls,
  simd: SimdKernels,
  x: tf.TensorInfo,
  filter: tf.TensorInfo,
  bias: tf.TensorInfo | undefined,
): tf.TensorInfo {
  const [n, h, wd, cin] = x.shape;
  const cout = filter.shape[3];
  const out = calls.alloc([n, h, wd, cout]);
  // The zero pixel for taps outside the image, and the bias when there is none.
  const zeros = calls.alloc([Math.max(cin, cout)]);
  const u = calls.alloc([16, cin, cout]);
  const v = calls.alloc([16, TILES, cin]);
  const m = calls.alloc([16, TILES, cout]);
  calls.view(zeros).fill(0);
  const at = (t: tf.TensorInfo) => calls.offset(t);
  const w = simd.winograd;
  w.filter(at(filter), at(u), cin, cout);
  const tiles = n * ((h + 1) >> 1) * ((wd + 1) >> 1);
  const b = at(bias ?? zeros);
  for (let first = 0; first < tiles; first += TILES) {
    const count = Math.min(TILES, tiles - first);
    w.input(at(x), at(v), at(zeros), h, wd, cin, first, count, TILES);
    w.products(at(u), at(v), at(m), TILES, cin, cout);
    w.output(at(m), b, at(out), h, wd, cout, first, count, TILES);
  }
  return out;
}

/**
 * The weight gradient of a 3×3, stride-1, 'same' NHWC conv by F(2×2, 3×3) (assembly/winograd.ts),
 * or null where another path must compute it: fewer than MIN_CIN or a count not a multiple of 4
 * of input or output channels, or a thread pool of more than one (its convolution uses the pool).
 */
export function winogradFilterGrad(
  calls: WasmCalls,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
): tf.TensorInfo | null {
  const [n, h, wd, cin] = x.shape;
  const cout = dy.shape[3];
  const simd = simdKernels(calls.backend);
  const ok =
    enabled &&
    simd !== null &&
    !simd.threaded &&
    x.dtype === 'float32' &&
    dy.dtype === 'float32' &&
    cin >= MIN_CIN &&
    cin % 4 === 0 &&
    cout % 4 === 0;
  if (!ok) return null;
  const dw = calls.alloc([3, 3, cin, cout]);
  const zeros = calls.alloc([Math.max(cin, cout)]);
  const p = calls.alloc([16, cin, cout]);
  const v = calls.alloc([16, TILES, cin]);
  const d = calls.alloc([16, TILES, cout]);
  calls.view(zeros).fill(0);
  calls.view(p).fill(0);
  const at = (t: tf.TensorInfo) => calls.offset(t);
  const w = simd.winograd;
  const tiles = n * ((h + 1) >> 1) * ((wd + 1) >> 1);
  for (let first = 0; first < tiles; first += TILES) {
    const count = Math.min(TILES, tiles - first);
    w.input(at(x), at(v), at(zeros), h, wd, cin, first, count, TILES);
    w.gradOutput(at(dy), at(d), at(zeros), h, wd, cout, first, count, TILES);
    w.gradProducts(at(v), at(d), at(p), TILES, cin, cout);
  }
  w.gradFilter(at(p), at(dw), cin, cout);
  return dw;
}

/** tf.conv2d on wasm. */
export const conv2DWasm: tf.KernelFunc = (args) => {
  const { x, filter } = args.inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
  const simd = kernelFor(args.backend, x, filter, undefined, args.attrs as unknown as ConvAttrs);
  if (simd === null) return originalKernel(tf.Conv2D, WASM)(args);
  return withWasmCalls(args.backend, (calls) => winograd(calls, simd, x, filter, undefined));
};

/** tf.fused.conv2d on wasm: only without an activation here. */
export const fusedConv2DWasm: tf.KernelFunc = (args) => {
  const { x, filter, bias, preluActivationWeights } = args.inputs as {
    x: tf.TensorInfo;
    filter: tf.TensorInfo;
    bias?: tf.TensorInfo;
    preluActivationWeights?: tf.TensorInfo;
  };
  const a = args.attrs as unknown as tf.FusedConv2DAttrs;
  const linear = (a.activation ?? 'linear') === 'linear' && preluActivationWeights === undefined;
  const simd = linear ? kernelFor(args.backend, x, filter, bias, a) : null;
  if (simd === null) return originalKernel(tf.FusedConv2D, WASM)(args);
  return withWasmCalls(args.backend, (calls) => winograd(calls, simd, x, filter, bias));
};
