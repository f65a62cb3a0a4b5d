// Transpose for the wasm backend, cache-friendlier for the two big transposes of a U-Net's
// training step. tfjs-backend-wasm's C++ kernel walks the input (2-D) or the output (3-D, 4-D)
// in order and jumps through the other, so one of the two streams touches a new cache line per
// value: 29 ms for a [50176, 96] matrix (a 1x1 conv's weight gradient), 18 ms for
// NHWC -> CHWN of 64x28x28x96 (a 3x3 conv's weight gradient). Split into steps that each move
// contiguous runs or transpose small blocks that stay in cache, they take 7 and 10 ms:
//   [R, C] -> [C, R], R > C:          [R/b, b, C] -(0 2 1)-> [R/b, C, b] -(1 0 2)-> [C, R/b, b]
//   [A, B, C] -> [C, B, A] (NHWC -> CHWN is this with B = H*W):
//                 -(1 0 2)-> [B, A, C] -(0 2 1)-> [B, C, A] -(1 0 2)-> [C, B, A]
// Everything else (and anything small) goes to the original kernel.
import * as tf from '@tensorflow/tfjs';
import { originalKernel } from './registry';
import { type WasmCalls, withWasmCalls } from './wasmCalls';

/** Below this many values the original kernel is as fast. */
const MIN_SIZE = 1 << 16;

interface Canonical {
  shape: number[];
  perm: number[];
}

/**
 * The same permutation with size-1 axes dropped and input axes that stay adjacent (in order) in
 * the output merged: e.g. [N, H, W, C] with perm [3, 1, 2, 0] is [N, H*W, C] with [2, 1, 0].
 */
export function canonicalTranspose(shape: readonly number[], perm: readonly number[]): Canonical {
  const kept = perm.filter((a) => shape[a] !== 1);
  // Runs of consecutive input axes, in output order.
  const runs: number[][] = [];
  for (const a of kept) {
    const last = runs[runs.length - 1];
    const prev = last?.[last.length - 1];
    // Adjacent in the input once size-1 axes are ignored.
    const adjacent =
      prev !== undefined && prev < a && shape.slice(prev + 1, a).every((s) => s === 1);
    if (last && adjacent) last.push(a);
    else runs.push([a]);
  }
  const byInput = [...runs].sort((p, q) => p[0] - q[0]);
  return {
    shape: byInput.map((r) => r.reduce((n, a) => n * shape[a], 1)),
    perm: runs.map((r) => byInput.indexOf(r)),
  };
}

function transpose3d(calls: WasmCalls, x: tf.TensorInfo, shape: number[], perm: number[]) {
  const original = originalKernel(tf.Transpose, 'wasm');
  const x3 = calls.run('Reshape', { x }, { shape });
  return calls.runFunc(original, { x: x3 }, { perm });
}

export const transposeWasm: tf.KernelFunc = (args) => {
  const x = args.inputs.x as tf.TensorInfo;
  const { perm } = args.attrs as unknown as tf.TransposeAttrs;
  const size = tf.util.sizeFromShape(x.shape);
  const c = canonicalTranspose(x.shape, perm);
  const same = (p: number[]) => c.perm.length === p.length && c.perm.every((a, i) => a === p[i]);
  const outShape = perm.map((a) => x.shape[a]);
  if (x.dtype === 'string' || size < MIN_SIZE) return originalKernel(tf.Transpose, 'wasm')(args);
  if (same([1, 0])) {
    const [R, C] = c.shape;
    const b = [64, 32, 16, 8].find((d) => R % d === 0 && R / d >= 2);
    if (R > C && b !== undefined) {
      return withWasmCalls(args.backend, (calls) => {
        const blocks = transpose3d(calls, x, [R / b, b, C], [0, 2, 1]);
        const out = transpose3d(calls, blocks, [R / b, C, b], [1, 0, 2]);
        return calls.run('Reshape', { x: out }, { shape: outShape });
      });
    }
  } else if (same([2, 1, 0])) {
    const [A, B, C] = c.shape;
    return withWasmCalls(args.backend, (calls) => {
      const bac = transpose3d(calls, x, [A, B, C], [1, 0, 2]);
      const bca = transpose3d(calls, bac, [B, A, C], [0, 2, 1]);
      const out = transpose3d(calls, bca, [B, C, A], [1, 0, 2]);
      return calls.run('Reshape', { x: out }, { shape: outShape });
    });
  }
  return originalKernel(tf.Transpose, 'wasm')(args);
};
