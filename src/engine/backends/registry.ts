// Replacing a registered tfjs kernel while keeping the original reachable as a fallback.
import * as tf from '@tensorflow/tfjs';

/** Originals we replaced, by "backend/kernel". */
const originals = new Map<string, tf.KernelConfig>();

const key = (kernelName: string, backendName: string) => `${backendName}/${kernelName}`;

/**
 * Registers kernelFunc for (kernelName, backendName), replacing what is there. Idempotent: true
 * only when something changed. The original's setupFunc/disposeFunc stay attached, because
 * tf.setBackend runs every registered setupFunc and the original needs its own (wasm cwraps).
 */
export function replaceKernel(
  kernelName: string,
  backendName: string,
  kernelFunc: tf.KernelFunc,
): boolean {
  const current = tf.getKernel(kernelName, backendName);
  if (current?.kernelFunc === kernelFunc) return false;
  if (current !== undefined) {
    originals.set(key(kernelName, backendName), current);
    tf.unregisterKernel(kernelName, backendName);
  }
  tf.registerKernel({
    kernelName,
    backendName,
    kernelFunc,
    setupFunc: current?.setupFunc,
    disposeFunc: current?.disposeFunc,
  });
  return true;
}

/** The kernel that replaceKernel displaced; throws if there was none. */
export function originalKernel(kernelName: string, backendName: string): tf.KernelFunc {
  const config = originals.get(key(kernelName, backendName));
  if (config === undefined) throw new Error(`no original ${backendName} ${kernelName} kernel`);
  return config.kernelFunc;
}
