// Helpers for the wasm-vs-cpu parity tests (test code: dataSync is fine here, never in src).
import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../../random/seeded';
import { nodeWasmDir } from './nodeWasm';
import { initBackend } from './select';

/** Initialises the wasm backend in Node (with the training kernels), then leaves it active. */
export async function initWasmForTests(): Promise<void> {
  const choice = await initBackend('wasm', { wasmPaths: nodeWasmDir() });
  if (choice.backend !== 'wasm') throw new Error(`wasm did not start: ${choice.fallbackReason}`);
}

/** Deterministic values in [-1, 1) (mulberry32), so cpu and wasm see the same inputs. */
export function randomValues(n: number, seed: number): Float32Array {
  const rand = mulberry32(seed);
  return Float32Array.from({ length: n }, () => rand() * 2 - 1);
}

/** Runs fn on the named backend and returns its outputs as plain arrays; frees its tensors. */
export async function onBackend(
  name: 'cpu' | 'wasm',
  fn: () => tf.Tensor[],
): Promise<Float32Array[]> {
  await tf.setBackend(name);
  const outs = tf.tidy(fn);
  const values = (await Promise.all(outs.map((t) => t.data()))) as Float32Array[];
  tf.dispose(outs);
  return values;
}

/** max |a - b| / max |b|: one number per tensor, robust to sums of many terms near zero. */
export function relError(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return scale === 0 ? diff : diff / scale;
}
