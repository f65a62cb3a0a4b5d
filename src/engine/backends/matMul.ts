// BatchMatMul for the wasm backend that always reaches XNNPACK's GEMM.
// tfjs-backend-wasm (batch_mat_mul_impl.cc) uses XNNPACK only for one un-transposed product
// (a [1, m, k] x b [1, k, n]); a transposed operand or a batch > 1 falls back to a naive blocked
// loop at ~1.5 GFLOP/s. A dense layer's gradient is transposed by construction (dx = dy w^T,
// dw = x^T dy) and attention is batched, so a U-Net's training step spent ~10% of its time there.
// Here:
//   batch 1 (or a broadcast b whose a needs no transpose: its batch folds into the rows):
//     transpose the operand(s) with the wasm Transpose kernel, then one XNNPACK GEMM;
//   batch > 1, small entries: this project's SIMD kernel (simdKernels.ts), all entries in one call
//     and in place (a transposed b transposed first, with the wasm Transpose kernel): the same
//     arithmetic as XNNPACK's GEMM, so the same bits whichever path a batch takes;
//   batch > 1 otherwise: one XNNPACK GEMM per batch entry, on copies (transposed in the copy).
import * as tf from '@tensorflow/tfjs';
import { originalKernel } from './registry';
import { simdKernels } from './simdKernels';
import { type WasmCalls, withWasmCalls } from './wasmCalls';

/**
 * Largest entry (m·k·n multiply-adds) given to the SIMD kernel: up to here its 10-20 GFLOP/s beat
 * a GEMM per entry (3-9 GFLOP/s at attention's 49×48×49); from ~256×64×256 on they are even.
 */
const SIMD_MAX_ENTRY_MACS = 1 << 20;

interface Operand {
  info: tf.TensorInfo;
  batch: number;
  /** Rows and columns as stored (before any transpose). */
  rows: number;
  cols: number;
  transposed: boolean;
}

function operand(info: tf.TensorInfo, transposed: boolean): Operand {
  const r = info.shape.length;
  return {
    info,
    batch: tf.util.sizeFromShape(info.shape.slice(0, -2)),
    rows: info.shape[r - 2],
    cols: info.shape[r - 1],
    transposed,
  };
}

function plainMatMul(calls: WasmCalls, a: tf.TensorInfo, b: tf.TensorInfo): tf.TensorInfo {
  return calls.runFunc(
    originalKernel(tf.BatchMatMul, 'wasm'),
    { a, b },
    { transposeA: false, transposeB: false },
  );
}

/** The operand as an un-transposed [1, rows', cols'] matrix (rows of all batches stacked). */
function asMatrix(calls: WasmCalls, o: Operand): tf.TensorInfo {
  const x = calls.run('Reshape', { x: o.info }, { shape: [o.batch * o.rows, o.cols] });
  const m = o.transposed ? calls.run('Transpose', { x }, { perm: [1, 0] }) : x;
  return calls.run('Reshape', { x: m }, { shape: [1, ...m.shape] });
}

/** Entry i of a batched operand, un-transposed, copied into a fresh [1, r, c] tensor. */
function entry(calls: WasmCalls, o: Operand, i: number): tf.TensorInfo {
  const [r, c] = o.transposed ? [o.cols, o.rows] : [o.rows, o.cols];
  // A fresh tensor each time: XNNPACK caches the packed b under its tensor id.
  const out = calls.alloc([1, r, c]);
  const src = calls.view(o.info);
  const dst = calls.view(out);
  const base = (o.batch === 1 ? 0 : i) * o.rows * o.cols;
  if (!o.transposed) {
    dst.set(src.subarray(base, base + r * c));
  } else {
    for (let p = 0; p < o.rows; p++) {
      for (let q = 0; q < o.cols; q++) dst[q * o.rows + p] = src[base + p * o.cols + q];
    }
  }
  return out;
}

/** a [..., m, k] x b [..., k, n] (after the optional transposes), float32, batch broadcast. */
export function batchMatMulWasm(
  backend: unknown,
  aInfo: tf.TensorInfo,
  bInfo: tf.TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
): tf.TensorInfo {
  const a = operand(aInfo, transposeA);
  const b = operand(bInfo, transposeB);
  const m = transposeA ? a.cols : a.rows;
  const k = transposeA ? a.rows : a.cols;
  const n = transposeB ? b.rows : b.cols;
  const kb = transposeB ? b.cols : b.rows;
  if (k !== kb) throw new Error(`BatchMatMul: inner dimensions ${k} and ${kb} differ`);
  if (a.batch !== b.batch && a.batch !== 1 && b.batch !== 1) {
    throw new Error(`BatchMatMul: batch sizes ${a.batch} and ${b.batch} do not broadcast`);
  }
  const batch = Math.max(a.batch, b.batch);
  const outShape = [
    ...tf.broadcast_util.assertAndGetBroadcastShape(
      aInfo.shape.slice(0, -2),
      bInfo.shape.slice(0, -2),
    ),
    m,
    n,
  ];
  return withWasmCalls(backend, (calls) => {
    if (b.batch === 1 && (a.batch === 1 || !transposeA)) {
      const out = plainMatMul(calls, asMatrix(calls, a), asMatrix(calls, b));
      return calls.run('Reshape', { x: out }, { shape: outShape });
    }
    const simd = simdKernels(calls.backend);
    if (simd !== null && m * k * n <= SIMD_MAX_ENTRY_MACS) {
      const bk = transposeB
        ? calls.run(
            'Transpose',
            { x: calls.run('Reshape', { x: b.info }, { shape: [b.batch, b.rows, b.cols] }) },
            { perm: [0, 2, 1] },
          )
        : b.info;
      const out = calls.alloc(outShape);
      const at = (t: tf.TensorInfo) => calls.offset(t);
      simd.batchMatMul(
        at(a.info),
        at(bk),
        at(out),
        batch,
        m,
        k,
        n,
        a.batch === 1 ? 0 : m * k,
        b.batch === 1 ? 0 : k * n,
        transposeA ? 1 : 0,
      );
      return out;
    }
    const parts: tf.TensorInfo[] = [];
    for (let i = 0; i < batch; i++) {
      parts.push(plainMatMul(calls, entry(calls, a, i), entry(calls, b, i)));
    }
    const out = calls.alloc(outShape);
    const dst = calls.view(out);
    parts.forEach((p, i) => dst.set(calls.view(p), i * m * n));
    return out;
  });
}
