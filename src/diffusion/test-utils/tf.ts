// Test helpers for tensors (cpu backend, deterministic).
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';

export async function useCpu(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

export async function values(t: tf.Tensor): Promise<Float32Array> {
  return (await t.data()) as Float32Array;
}

/** Element-wise |a − b| ≤ tol. */
export async function expectTensorClose(
  actual: tf.Tensor,
  expected: tf.Tensor | ArrayLike<number>,
  tol = 1e-6,
): Promise<void> {
  const a = await values(actual);
  const e = expected instanceof tf.Tensor ? await values(expected) : expected;
  expect(a.length).toBe(e.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - e[i]));
  expect(worst).toBeLessThanOrEqual(tol);
}

/** Runs fn, then checks that no tensor leaked (fn must dispose what it keeps). */
export async function expectNoLeak(fn: () => Promise<void> | void): Promise<void> {
  const before = tf.memory().numTensors;
  await fn();
  expect(tf.memory().numTensors).toBe(before);
}
