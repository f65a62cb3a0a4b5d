// GroupNorm (+ SiLU) as one forward and one backward kernel for the wasm backend (the op and its
// contract: model/layers/groupNorm.ts). The composite GroupNorm (reshape to 5-D, moments,
// broadcast sub/mul) runs ~8 wasm kernels forward and ~25 backward, several of them broadcasts
// whose innermost dimension is C/G (4-16 values) or reductions that transpose first: at batch 64
// they were ~20% of a U-Net training step. Here the statistics are one JS pass over the wasm heap
// with float64 accumulators, the gradient's sums over H, W are XNNPACK average pools and the
// element-wise work runs as wasm kernels with [n, 1, 1, c] coefficients.
//
// With xhat = (x - mean) * rstd per (image, group), z = gamma * xhat + beta, y = silu?(z):
//   forward:  z = x * A[n, c] + B[n, c],  A = gamma * rstd,  B = beta - mean * A
//   backward: dz = dy * s * (1 + z * (1 - s)), s = sigmoid(z)   (dz = dy without SiLU)
//             S1[n, c] = sum_hw dz,  S2[n, c] = sum_hw dz * x
//             dbeta = sum_n S1,  dgamma = sum_n rstd * (S2 - mean * S1)
//             dx = dz * P[n, c] + x * Q[n, g] + R[n, g], from the mean over each group (N values)
//               m1 = sum_c gamma S1 / N,  m2 = sum_c gamma rstd (S2 - mean S1) / N,
//               P = rstd * gamma,  Q = -rstd^2 m2,  R = rstd (mean rstd m2 - m1).
import * as tf from '@tensorflow/tfjs';
import {
  GROUP_NORM_GRAD_KERNEL,
  GROUP_NORM_KERNEL,
  type GroupNormAttrs,
} from '../../model/layers/groupNorm';
import { simdKernels, type GroupNormSimdBackward, type GroupNormSimdForward } from './simdKernels';
import { WasmCalls, type BackendWasm } from './wasmCalls';

interface Dims {
  n: number;
  /** Pixels per image (H * W). */
  hw: number;
  c: number;
  groups: number;
  /** Channels per group. */
  cg: number;
}

function dims(x: tf.TensorInfo, groups: number): Dims {
  const [n, h, w, c] = x.shape;
  if (x.shape.length !== 4 || c % groups !== 0) {
    throw new Error(`GroupNorm: bad input shape [${x.shape}] for ${groups} groups`);
  }
  return { n, hw: h * w, c, groups, cg: c / groups };
}

/**
 * Mean and rstd per (image, group). Channel by channel with scalar float64 accumulators (strided
 * reads of one image, which stays in cache): 4x faster in V8 than a row-wise pass that updates a
 * per-channel accumulator array for every element. Four pixels at a time into four pairs of
 * accumulators: one chain of float64 adds waits ~4 cycles per add, four chains overlap
 * (1.3-1.4x faster here).
 */
function moments(x: Float32Array, d: Dims, eps: number) {
  const { n, hw, c, groups, cg } = d;
  const mean = new Float64Array(n * groups);
  const rstd = new Float64Array(n * groups);
  const count = hw * cg;
  const hw4 = hw - (hw % 4);
  for (let b = 0; b < n; b++) {
    const base = b * hw * c;
    for (let g = 0; g < groups; g++) {
      let s1a = 0;
      let s1b = 0;
      let s1c = 0;
      let s1d = 0;
      let s2a = 0;
      let s2b = 0;
      let s2c = 0;
      let s2d = 0;
      for (let k = g * cg; k < (g + 1) * cg; k++) {
        let p = base + k;
        let i = 0;
        for (; i < hw4; i += 4, p += 4 * c) {
          const v0 = x[p];
          const v1 = x[p + c];
          const v2 = x[p + 2 * c];
          const v3 = x[p + 3 * c];
          s1a += v0;
          s1b += v1;
          s1c += v2;
          s1d += v3;
          s2a += v0 * v0;
          s2b += v1 * v1;
          s2c += v2 * v2;
          s2d += v3 * v3;
        }
        for (; i < hw; i++, p += c) {
          const v = x[p];
          s1a += v;
          s2a += v * v;
        }
      }
      const s1 = s1a + s1b + (s1c + s1d);
      const s2 = s2a + s2b + (s2c + s2d);
      const m = s1 / count;
      mean[b * groups + g] = m;
      rstd[b * groups + g] = 1 / Math.sqrt(Math.max(0, s2 / count - m * m) + eps);
    }
  }
  return { mean, rstd };
}

function attrsOf(attrs: tf.NamedAttrMap | undefined): GroupNormAttrs {
  if (attrs === undefined) throw new Error('GroupNorm: missing attributes');
  return attrs as unknown as GroupNormAttrs;
}

function floats(calls: WasmCalls, info: tf.TensorInfo): Float32Array {
  return calls.view(info) as Float32Array;
}

/**
 * z = GroupNorm(x) * gamma + beta as x * A + B with A, B [n, 1, 1, c] (two wasm broadcast
 * kernels), and the statistics as an [n, groups, 2] tensor of (mean, rstd).
 */
function normalise(
  calls: WasmCalls,
  x: tf.TensorInfo,
  gamma: tf.TensorInfo,
  beta: tf.TensorInfo,
  d: Dims,
  eps: number,
) {
  const { n, c, groups, cg } = d;
  const scale = calls.alloc([n, 1, 1, c]);
  const shift = calls.alloc([n, 1, 1, c]);
  const stats = calls.alloc([n, groups, 2]);
  const { mean, rstd } = moments(floats(calls, x), d, eps);
  const gs = floats(calls, gamma);
  const bs = floats(calls, beta);
  const A = floats(calls, scale);
  const B = floats(calls, shift);
  const st = floats(calls, stats);
  for (let bg = 0; bg < n * groups; bg++) {
    st[2 * bg] = mean[bg];
    st[2 * bg + 1] = rstd[bg];
  }
  for (let b = 0; b < n; b++) {
    for (let k = 0; k < c; k++) {
      const bg = b * groups + Math.floor(k / cg);
      const a = gs[k] * rstd[bg];
      A[b * c + k] = a;
      B[b * c + k] = bs[k] - mean[bg] * a;
    }
  }
  const z = calls.run('Add', { a: calls.run('Multiply', { a: x, b: scale }), b: shift });
  return { z, stats };
}

/**
 * The forward in two SIMD passes over tfjs's heap (simdKernels.ts): the same outputs, with z
 * the same float32 arithmetic and sigmoid(z) from its own exp (within a few ulp of XNNPACK's).
 */
function forwardSimd(
  calls: WasmCalls,
  simd: GroupNormSimdForward,
  inputs: { x: tf.TensorInfo; gamma: tf.TensorInfo; beta: tf.TensorInfo },
  d: Dims,
  a: GroupNormAttrs,
): tf.TensorInfo[] {
  const { x, gamma, beta } = inputs;
  const { n, hw, c, groups } = d;
  const y = calls.alloc(x.shape);
  const s = a.silu ? calls.alloc(x.shape) : calls.alloc([]);
  const stats = calls.alloc([n, groups, 2]);
  // Scratch: 2c float64 sums and 2c float32 coefficients.
  const acc = calls.alloc([4 * c]);
  const coef = calls.alloc([2 * c]);
  if (!a.silu) floats(calls, s)[0] = 0;
  const at = (t: tf.TensorInfo) => calls.offset(t);
  simd(
    at(x),
    at(y),
    at(s),
    at(gamma),
    at(beta),
    at(stats),
    at(acc),
    at(coef),
    n,
    hw,
    c,
    groups,
    a.eps,
    a.silu ? 1 : 0,
  );
  return [calls.keep(y), calls.keep(stats), calls.keep(s)];
}

/** Outputs [y, stats, s]: the result, (mean, rstd) per group and sigmoid(z) (a 0 if no SiLU). */
const forward: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, gamma, beta } = inputs as Record<string, tf.TensorInfo>;
  const a = attrsOf(attrs);
  const d = dims(x, a.groups);
  const calls = new WasmCalls(backend as BackendWasm);
  try {
    const simd = simdKernels(backend as BackendWasm);
    if (simd !== null) return forwardSimd(calls, simd.groupNormForward, { x, gamma, beta }, d, a);
    const { z, stats } = normalise(calls, x, gamma, beta, d, a.eps);
    if (!a.silu) {
      const none = calls.alloc([]);
      floats(calls, none)[0] = 0;
      return [calls.keep(z), calls.keep(stats), calls.keep(none)];
    }
    const s = calls.run('Sigmoid', { x: z });
    const y = calls.run('Multiply', { a: z, b: s });
    return [calls.keep(y), calls.keep(stats), calls.keep(s)];
  } finally {
    calls.dispose();
  }
};

function scalar(calls: WasmCalls, value: number): tf.TensorInfo {
  const t = calls.alloc([]);
  floats(calls, t)[0] = value;
  return t;
}

/** silu'(z) * dy = dy * (s + y * (1 - s)) with s = sigmoid(z), y = z * s: four wasm kernels. */
function siluGrad(
  calls: WasmCalls,
  y: tf.TensorInfo,
  s: tf.TensorInfo,
  dy: tf.TensorInfo,
): tf.TensorInfo {
  const t = calls.run('Multiply', { a: y, b: calls.run('Sub', { a: scalar(calls, 1), b: s }) });
  return calls.run('Multiply', { a: dy, b: calls.run('Add', { a: t, b: s }) });
}

/** [n, 1, 1, c] sums over H, W of an NHWC tensor: an XNNPACK average pool times H*W. */
function spatialSum(calls: WasmCalls, x: tf.TensorInfo): Float32Array {
  const [, h, w] = x.shape;
  const pool = { filterSize: [h, w], strides: [h, w], pad: 'valid' };
  const mean = floats(calls, calls.run('AvgPool', { x }, pool));
  return mean.map((v) => v * h * w);
}

/** A fresh [n, 1, 1, c] tensor holding the values. */
function perChannel(calls: WasmCalls, values: Float32Array, d: Dims): tf.TensorInfo {
  const t = calls.alloc([d.n, 1, 1, d.c]);
  floats(calls, t).set(values);
  return t;
}

/**
 * The backward in two SIMD passes over tfjs's heap (assembly/groupNorm.ts): the same algebra as
 * below, with S1 and S2 summed in float64 instead of XNNPACK's float32 average pools.
 */
function backwardSimd(
  calls: WasmCalls,
  simd: GroupNormSimdBackward,
  inputs: Record<'x' | 'gamma' | 'y' | 'stats' | 's' | 'dy', tf.TensorInfo>,
  d: Dims,
  a: GroupNormAttrs,
): tf.TensorInfo[] {
  const { x, gamma, y, stats, s, dy } = inputs;
  const { n, hw, c, groups } = d;
  const dx = calls.alloc(x.shape);
  const dgamma = calls.alloc([c]);
  const dbeta = calls.alloc([c]);
  // Scratch: dg and db (c float64 each), S1 and S2 (c float64 each), P, Q, R (c float32 each).
  const sums = calls.alloc([8 * c]);
  const coef = calls.alloc([3 * c]);
  const at = (t: tf.TensorInfo) => calls.offset(t);
  const base = at(sums);
  simd(
    at(x),
    at(y),
    at(s),
    at(dy),
    at(dx),
    at(gamma),
    at(stats),
    at(dgamma),
    at(dbeta),
    base,
    base + 8 * c,
    base + 16 * c,
    at(coef),
    n,
    hw,
    c,
    groups,
    a.silu ? 1 : 0,
  );
  return [calls.keep(dx), calls.keep(dgamma), calls.keep(dbeta)];
}

/** Inputs {x, gamma, y, stats, s, dy} (y, stats, s: the forward's outputs); [dx, dgamma, dbeta]. */
const backward: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, gamma, y, stats, s, dy } = inputs as Record<string, tf.TensorInfo>;
  const a = attrsOf(attrs);
  const d = dims(x, a.groups);
  const { n, hw, c, groups, cg } = d;
  const calls = new WasmCalls(backend as BackendWasm);
  try {
    const simd = simdKernels(backend as BackendWasm);
    if (simd !== null) {
      return backwardSimd(calls, simd.groupNormBackward, { x, gamma, y, stats, s, dy }, d, a);
    }
    const dz = a.silu ? siluGrad(calls, y, s, dy) : dy;
    const S1 = spatialSum(calls, dz);
    const S2 = spatialSum(calls, calls.run('Multiply', { a: dz, b: x }));
    // Per (image, channel) coefficients of dx = dz * P + x * Q + R, and the parameter gradients.
    const gs = floats(calls, gamma);
    const st = floats(calls, stats);
    const P = new Float32Array(n * c);
    const Q = new Float32Array(n * c);
    const R = new Float32Array(n * c);
    const dg = new Float64Array(c);
    const db = new Float64Array(c);
    const count = hw * cg;
    for (let b = 0; b < n; b++) {
      for (let g = 0; g < groups; g++) {
        const bg = b * groups + g;
        const m = st[2 * bg];
        const r = st[2 * bg + 1];
        let m1 = 0;
        let m2 = 0;
        for (let k = g * cg; k < (g + 1) * cg; k++) {
          const s1 = S1[b * c + k];
          const centred = r * (S2[b * c + k] - m * s1);
          db[k] += s1;
          dg[k] += centred;
          m1 += gs[k] * s1;
          m2 += gs[k] * centred;
        }
        m1 /= count;
        m2 /= count;
        for (let k = g * cg; k < (g + 1) * cg; k++) {
          P[b * c + k] = r * gs[k];
          Q[b * c + k] = -r * r * m2;
          R[b * c + k] = r * (m * r * m2 - m1);
        }
      }
    }
    const dzP = calls.run('Multiply', { a: dz, b: perChannel(calls, P, d) });
    const xQ = calls.run('Multiply', { a: x, b: perChannel(calls, Q, d) });
    const sum = calls.run('Add', { a: dzP, b: xQ });
    const dx = calls.run('Add', { a: sum, b: perChannel(calls, R, d) });
    const dgamma = calls.alloc([c]);
    floats(calls, dgamma).set(dg);
    const dbeta = calls.alloc([c]);
    floats(calls, dbeta).set(db);
    return [calls.keep(dx), calls.keep(dgamma), calls.keep(dbeta)];
  } finally {
    calls.dispose();
  }
};

const gradient: tf.GradConfig = {
  kernelName: GROUP_NORM_KERNEL,
  inputsToSave: ['x', 'gamma'],
  outputsToSave: [true, true, true],
  gradFunc: (dys, saved, attrs) => {
    const [x, gamma, y, stats, s] = saved;
    // One dy per output; only the result's matters (the others only feed this gradient).
    const dy = Array.isArray(dys) ? dys[0] : dys;
    const [dx, dgamma, dbeta] = tf
      .engine()
      .runKernel(GROUP_NORM_GRAD_KERNEL, { x, gamma, y, stats, s, dy }, attrs) as tf.Tensor[];
    return { x: () => dx, gamma: () => dgamma, beta: () => dbeta };
  },
};

/** The two kernels for the wasm backend (registered by wasmKernels.ts). */
export const groupNormKernels: [string, tf.KernelFunc][] = [
  [GROUP_NORM_KERNEL, forward],
  [GROUP_NORM_GRAD_KERNEL, backward],
];

/** Registers the forward kernel's gradient once (it is backend-independent). */
export function registerGroupNormGradient(): void {
  if (tf.getGradient(GROUP_NORM_KERNEL) === undefined) tf.registerGradient(gradient);
}
