// Training kernels that replace tfjs-backend-webgpu's where its own are far slower than their
// forward counterpart (issue 12 item 3; FINDINGS, "WebGPU training kernels in tfjs 4.22"):
//   Conv2DBackpropFilter   naive serial loops per filter element  -> one matMul per tap
// Written against tfjs 4.22.0 (package.json pins it): with another version the originals stay,
// since the replaced kernel's attributes and the matMul heuristics it relies on may differ.
import * as tf from '@tensorflow/tfjs';
import { conv2DBackpropFilterTapsKernel } from './convGradFilterTaps';
import { originalKernel, replaceKernel } from './registry';

export const WEBGPU_KERNELS_TFJS_VERSION = '4.22.0';

// One function object, so that registering again is a no-op (replaceKernel compares them) and
// the original, reachable for NCHW and non-float32 inputs, is never our own replacement.
// Below ~5M multiply-adds the original wins on SwiftShader (KH·KW more dispatches, each with a
// fixed cost); above, ours did in scripts/bench/webgpu-conv-filter.ts: batch 4, 28×28 32→32
// 2.5 s against 3.9 s, 14×14 64→64 3.3 s against 6.4 s (the forward conv: 1.3 s and 1.5 s).
export const WEBGPU_FILTER_GRAD_MIN_MACS = 5e6;

const filterGrad = conv2DBackpropFilterTapsKernel(
  'webgpu',
  (args) => originalKernel(tf.Conv2DBackpropFilter, 'webgpu')(args),
  WEBGPU_FILTER_GRAD_MIN_MACS,
);

/**
 * Registers the replacements on 'webgpu' (after the webgpu backend module is imported). Returns
 * the kernels replaced now, or why none were (another tfjs version, or webgpu not loaded).
 */
export function registerWebGpuTrainingKernels(): { replaced: string[]; skipped?: string } {
  if (tf.version_core !== WEBGPU_KERNELS_TFJS_VERSION) {
    return {
      replaced: [],
      skipped: `written for tfjs ${WEBGPU_KERNELS_TFJS_VERSION}, found ${tf.version_core}`,
    };
  }
  if (tf.getKernel(tf.Conv2DBackpropFilter, 'webgpu') === undefined) {
    return { replaced: [], skipped: 'the webgpu backend is not loaded' };
  }
  const replaced: string[] = [];
  if (replaceKernel(tf.Conv2DBackpropFilter, 'webgpu', filterGrad)) {
    replaced.push(tf.Conv2DBackpropFilter);
  }
  return { replaced };
}
