// Registration of our WebGPU training kernels: once, over tfjs's own, which stays reachable.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { describe, expect, it } from 'vitest';
import { originalKernel } from './registry';
import { registerWebGpuTrainingKernels, WEBGPU_KERNELS_TFJS_VERSION } from './webgpuKernels';

describe('registerWebGpuTrainingKernels', () => {
  it('is written for the pinned tfjs version', () => {
    expect(tf.version_core).toBe(WEBGPU_KERNELS_TFJS_VERSION);
  });

  it('replaces Conv2DBackpropFilter once and keeps the original', () => {
    const before = tf.getKernel(tf.Conv2DBackpropFilter, 'webgpu')?.kernelFunc;
    expect(before).toBeDefined();
    expect(registerWebGpuTrainingKernels()).toEqual({ replaced: [tf.Conv2DBackpropFilter] });
    const ours = tf.getKernel(tf.Conv2DBackpropFilter, 'webgpu')?.kernelFunc;
    expect(ours).not.toBe(before);
    expect(originalKernel(tf.Conv2DBackpropFilter, 'webgpu')).toBe(before);
    expect(registerWebGpuTrainingKernels()).toEqual({ replaced: [] });
    expect(tf.getKernel(tf.Conv2DBackpropFilter, 'webgpu')?.kernelFunc).toBe(ours);
  });
});
