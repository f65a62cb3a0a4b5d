// Conv2D and FusedConv2D for the wasm backend: a 3×3, stride-1, 'same' convolution of NHWC
// float32 with at least MIN_CIN input channels (with a bias, no activation: most 3×3 convs of the
// U-Nets here) goes to this project's SIMD kernel (assembly/conv3x3.ts), 1.1-1.2× XNNPACK's speed
// on one thread at the shapes of a sampling pass, with XNNPACK's bits. Everything else, and every
// conv on the threaded binary (where XNNPACK uses the thread pool), goes to tfjs's own kernel.
import * as tf from '@tensorflow/tfjs';
import { originalKernel } from './registry';
import { simdKernels, type SimdKernels } from './simdKernels';
import { type BackendWasm, withWasmCalls } from './wasmCalls';

const WASM = 'wasm';

type ConvAttrs = Pick<tf.Conv2DAttrs, 'strides' | 'pad' | 'dataFormat' | 'dilations'>;

/**
 * Fewer input channels and the kernel's short inner loop loses to XNNPACK (in a sampling pass of
 * the MNIST model, Node, median of 10: 24→24 at 14×14 1.42 against 1.29 ms, 4→24 0.60 against
 * 0.33 ms; 48→48 at 14×14 5.24 against 5.77 ms, 72→48 at 7×7 1.74 against 2.12 ms).
 */
const MIN_CIN = 32;

const isOne = (v: number | [number, number] | undefined) =>
  v === undefined || (typeof v === 'number' ? v === 1 : v[0] === 1 && v[1] === 1);

/** The kernel for this conv, or null where tfjs's own must run it. */
function kernelFor(
  backend: unknown,
  x: tf.TensorInfo,
  filter: tf.TensorInfo,
  bias: tf.TensorInfo | undefined,
  a: ConvAttrs,
): SimdKernels | null {
  const [fh, fw, cin, cout] = filter.shape;
  const ok =
    x.dtype === 'float32' &&
    filter.dtype === 'float32' &&
    x.shape.length === 4 &&
    fh === 3 &&
    fw === 3 &&
    x.shape[3] === cin &&
    cin >= MIN_CIN &&
    cout % 4 === 0 &&
    (a.dataFormat ?? 'NHWC') === 'NHWC' &&
    a.pad === 'same' &&
    isOne(a.strides) &&
    isOne(a.dilations) &&
    (bias === undefined ||
      (bias.dtype === 'float32' && tf.util.sizeFromShape(bias.shape) === cout));
  if (!ok) return null;
  const simd = simdKernels(backend as BackendWasm);
  return simd === null || simd.threaded ? null : simd;
}

function conv3x3Wasm(
  backend: unknown,
  simd: SimdKernels,
  x: tf.TensorInfo,
  filter: tf.TensorInfo,
  bias: tf.TensorInfo | undefined,
): tf.TensorInfo {
  const [n, h, wd, cin] = x.shape;
  const cout = filter.shape[3];
  return withWasmCalls(backend, (calls) => {
    const out = calls.alloc([n, h, wd, cout]);
    // The zero row for taps outside the image, and the bias when there is none (XNNPACK's too).
    const zeros = calls.alloc([Math.max(cin, cout)]);
    calls.view(zeros).fill(0);
    const at = (t: tf.TensorInfo) => calls.offset(t);
    const b = at(bias ?? zeros);
    const args = [at(x), at(filter), b, at(out), at(zeros), n, h, wd, cin, cout] as const;
    const o8 = cout - (cout % 8);
    if (o8 > 0) simd.conv3x3(...args, 0, o8);
    if (o8 < cout) simd.conv3x3Last4(...args, o8);
    return out;
  });
}

/** tf.conv2d on wasm. */
export const conv2DWasm: tf.KernelFunc = (args) => {
  const { x, filter } = args.inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
  const simd = kernelFor(args.backend, x, filter, undefined, args.attrs as unknown as ConvAttrs);
  if (simd === null) return originalKernel(tf.Conv2D, WASM)(args);
  return conv3x3Wasm(args.backend, simd, x, filter, undefined);
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
  return conv3x3Wasm(args.backend, simd, x, filter, bias);
};
