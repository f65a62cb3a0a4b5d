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

export interface ConvCase {
  n: number;
  h: number;
  w: number;
  cin: number;
  cout: number;
  k: number;
  stride: number;
  pad: 'same' | 'valid' | number;
}

/** Conv shapes every conv-gradient kernel is checked on (strides, paddings, odd sizes). */
export const CONV_CASES: ConvCase[] = [];
for (const [h, w] of [
  [7, 7],
  [14, 14],
  [28, 28],
  [9, 6],
]) {
  for (const k of [1, 3]) {
    for (const stride of [1, 2]) {
      for (const pad of ['same', 'valid'] as const) {
        const cin = [1, 3, 8, 16][(h + k + stride) % 4];
        const cout = [16, 8, 3, 1][(w + k) % 4];
        CONV_CASES.push({ n: h > 14 ? 2 : 3, h, w, cin, cout, k, stride, pad });
      }
    }
  }
}
// Less common shapes the general formulation must also get right.
CONV_CASES.push(
  { n: 2, h: 8, w: 8, cin: 4, cout: 5, k: 2, stride: 2, pad: 'same' },
  { n: 2, h: 11, w: 11, cin: 3, cout: 4, k: 5, stride: 2, pad: 'same' },
  { n: 2, h: 10, w: 9, cin: 3, cout: 4, k: 3, stride: 3, pad: 'valid' },
  { n: 1, h: 9, w: 9, cin: 2, cout: 3, k: 3, stride: 2, pad: 1 },
  { n: 2, h: 6, w: 6, cin: 4, cout: 4, k: 3, stride: 1, pad: 2 },
);

/** d(sum(conv(x, w) * r))/dx and /dw: r makes dy non-uniform. */
export function convGrads(c: ConvCase, seed: number): () => tf.Tensor[] {
  return () => {
    const x = tf.tensor4d(randomValues(c.n * c.h * c.w * c.cin, seed), [c.n, c.h, c.w, c.cin]);
    const w = tf.tensor4d(randomValues(c.k * c.k * c.cin * c.cout, seed + 1), [
      c.k,
      c.k,
      c.cin,
      c.cout,
    ]);
    const outShape = tf.conv2d(x, w, c.stride, c.pad).shape;
    const r = tf.tensor(randomValues(tf.util.sizeFromShape(outShape), seed + 2), outShape);
    const f = (a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad), r));
    return tf.grads(f)([x, w]);
  };
}
