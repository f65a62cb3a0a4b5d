// Fixes for the cpu backend (the last fallback, and the reference of our parity tests):
// its ResizeNearestNeighborGrad is wrong for batch > 1 in tfjs 4.22 (see resizeGrad.ts).
import * as tf from '@tensorflow/tfjs';
import { replaceKernel } from './registry';
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

/** Idempotent. Returns the names of the kernels it (re)registered on this call. */
export function registerCpuKernelFixes(): string[] {
  const changed = replaceKernel(tf.ResizeNearestNeighborGrad, 'cpu', resizeNearestGradCpu);
  return changed ? [tf.ResizeNearestNeighborGrad] : [];
}
