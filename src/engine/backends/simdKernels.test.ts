// The SIMD kernels (simdKernels.ts, assembly/): GroupNorm's forward against the JavaScript path
// it replaces and against float64 arithmetic, the batched matMul against the XNNPACK path and
// float64; the binaries' shape (no data, only tfjs's memory imported); the variant for a shared
// memory. groupNorm.test.ts compares the kernel (now
// this one) with the composite on cpu, gradients included.
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { groupNormSilu, groupNorm } from '../../model/layers/groupNorm';
import { SIMD_WASM, SIMD_WASM_SHARED } from './simdWasm';
import { setSimdKernels, simdKernels, type GroupNormSimdForward } from './simdKernels';
import { initWasmForTests, randomValues } from './testing';
import type { BackendWasm } from './wasmCalls';

const values = (n: number, seed: number, scale = 1, shift = 0) =>
  randomValues(n, seed).map((v) => v * scale + shift);

/**
 * silu?(GroupNorm(x)·γ + β) in float64, and `terms`: the largest |x·A| + |B| of the kernel's
 * z = x·A + B (A = γ·rstd, B = β − mean·A), whose float32 rounding bounds any float32 kernel.
 */
function reference(
  x: Float32Array,
  [n, h, w, c]: number[],
  gamma: Float32Array,
  beta: Float32Array,
  groups: number,
  silu: boolean,
  eps = 1e-5,
): { y: Float64Array; terms: number } {
  const hw = h * w;
  const cg = c / groups;
  const y = new Float64Array(x.length);
  let terms = 0;
  for (let b = 0; b < n; b++) {
    for (let g = 0; g < groups; g++) {
      let s = 0;
      for (let i = 0; i < hw; i++)
        for (let k = g * cg; k < (g + 1) * cg; k++) s += x[(b * hw + i) * c + k];
      const mean = s / (hw * cg);
      let v = 0;
      for (let i = 0; i < hw; i++)
        for (let k = g * cg; k < (g + 1) * cg; k++) v += (x[(b * hw + i) * c + k] - mean) ** 2;
      const rstd = 1 / Math.sqrt(v / (hw * cg) + eps);
      for (let i = 0; i < hw; i++) {
        for (let k = g * cg; k < (g + 1) * cg; k++) {
          const at = (b * hw + i) * c + k;
          const z = (x[at] - mean) * rstd * gamma[k] + beta[k];
          const a = gamma[k] * rstd;
          terms = Math.max(terms, Math.abs(x[at] * a) + Math.abs(beta[k] - mean * a));
          y[at] = silu ? z / (1 + Math.exp(-z)) : z;
        }
      }
    }
  }
  return { y, terms };
}

/** The kernel's three outputs for x (NHWC), read back. */
async function forward(x: Float32Array, shape: number[], groups: number, silu: boolean) {
  const c = shape[3];
  const xt = tf.tensor4d(x, shape as [number, number, number, number]);
  const p = {
    gamma: tf.tensor1d(values(c, 2, 0.5, 1)),
    beta: tf.tensor1d(values(c, 3)),
  };
  try {
    const y = silu ? groupNormSilu(xt, p, groups) : groupNorm(xt, p, groups);
    const out = await y.data();
    y.dispose();
    const [gamma, beta] = (await Promise.all([p.gamma.data(), p.beta.data()])) as Float32Array[];
    return { y: out as Float32Array, gamma, beta };
  } finally {
    tf.dispose([xt, p.gamma, p.beta]);
  }
}

/** Largest |a − b| relative to max(|b|, 1) (SiLU's outputs span a wide range). */
function maxError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < b.length; i++) {
    worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), 1));
  }
  return worst;
}

function maxAbsError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

/** A few float32 roundings of terms of size `terms`, and of the sigmoid's (~1e-6 relative). */
const withinFloat32 = (terms: number) => 4 * 2 ** -24 * terms + 2e-6;

/** The binary's section ids, in order (wasm binary format: id byte, LEB128 size, contents). */
function sectionIds(bytes: Uint8Array): number[] {
  const ids: number[] = [];
  let at = 8;
  while (at < bytes.length) {
    ids.push(bytes[at++]);
    let size = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[at++];
      size |= (b & 0x7f) << shift;
      shift += 7;
      if (b < 0x80) break;
    }
    at += size;
  }
  return ids;
}

const binary = (base64: string) => Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));

describe('SIMD GroupNorm forward', () => {
  beforeAll(async () => {
    await initWasmForTests();
    await tf.setBackend('wasm');
  });
  afterEach(() => {
    setSimdKernels(true);
  });

  it('runs on the wasm backend here (so groupNorm.test.ts tests it)', () => {
    expect(simdKernels(tf.backend() as BackendWasm)).not.toBeNull();
    setSimdKernels(false);
    expect(simdKernels(tf.backend() as BackendWasm)).toBeNull();
  });

  it.each([
    // c = 72, 24: the sampling model's shapes; c = 6, 10, 3: channels left over after the
    // groups of four lanes; one group; an odd number of pixels.
    [[3, 14, 14, 72], 8, true],
    [[2, 7, 7, 24], 8, false],
    [[2, 5, 3, 6], 2, true],
    [[1, 4, 4, 10], 5, true],
    [[2, 3, 3, 3], 1, true],
    [[1, 1, 1, 8], 8, false],
  ] as const)(
    'shape %j, %i groups, silu %s: as the JavaScript path and float64',
    async (s, g, act) => {
      const shape = [...s];
      const x = values(tf.util.sizeFromShape(shape), 1, 3, 1.5);
      const simd = await forward(x, shape, g, act);
      setSimdKernels(false);
      const js = await forward(x, shape, g, act);
      const ref = reference(x, shape, simd.gamma, simd.beta, g, act);
      expect(maxError(simd.y, js.y)).toBeLessThan(2e-6);
      expect(maxAbsError(simd.y, ref.y)).toBeLessThan(withinFloat32(ref.terms));
    },
  );

  it('keeps the variance of a group whose mean is far above its spread (float64 sums)', async () => {
    const shape = [2, 6, 6, 8];
    for (const shift of [100, 1000]) {
      const x = values(tf.util.sizeFromShape(shape), 5, 1, shift);
      const simd = await forward(x, shape, 4, false);
      const ref = reference(x, shape, simd.gamma, simd.beta, 4, false);
      // Float32 sums would lose the variance here; the bound is float32 rounding of z's terms.
      expect(maxAbsError(simd.y, ref.y)).toBeLessThan(withinFloat32(ref.terms));
      expect(ref.terms).toBeGreaterThan(shift);
    }
  });

  it('gives sigmoid and SiLU over the whole float range without NaN or overflow', async () => {
    // One group of one channel per image: z = γ·(x − mean)·rstd + β spans ±200 here.
    const zs = [-200, -88, -87, -30, -1e-3, 0, 1e-3, 0.5, 30, 88, 200];
    const shape = [1, 1, zs.length, 1];
    const x = Float32Array.from(zs);
    const xt = tf.tensor4d(x, shape as [number, number, number, number]);
    const p = { gamma: tf.tensor1d([1]), beta: tf.tensor1d([0]) };
    const run = () =>
      tf.engine().runKernel('PlaygroundGroupNorm', { x: xt, gamma: p.gamma, beta: p.beta }, {
        groups: 1,
        eps: 0,
        silu: true,
      } as unknown as tf.NamedAttrMap) as tf.Tensor[];
    const [y, stats, s] = run();
    const [yv, sv, st] = await Promise.all([y.data(), s.data(), stats.data()]);
    tf.dispose([y, stats, s, xt, p.gamma, p.beta]);
    const mean = st[0];
    const rstd = st[1];
    for (let i = 0; i < zs.length; i++) {
      const z = Math.fround(Math.fround(x[i] * Math.fround(rstd)) + Math.fround(-mean * rstd));
      const sig = 1 / (1 + Math.exp(-z));
      expect(Number.isFinite(yv[i]) && Number.isFinite(sv[i])).toBe(true);
      expect(Math.abs(sv[i] - sig)).toBeLessThanOrEqual(2e-7 + 1e-6 * sig);
      expect(Math.abs(yv[i] - z * sig)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(z)));
    }
  });

  it('ships binaries with no data or globals that import only a memory and export the kernels', () => {
    for (const bytes of [binary(SIMD_WASM), binary(SIMD_WASM_SHARED)]) {
      // 2 import, 7 export, 10 code; no 6 (globals), 11 (data) or 12 (data count).
      expect(sectionIds(bytes).filter((id) => [6, 11, 12].includes(id))).toEqual([]);
      const module = new WebAssembly.Module(bytes);
      expect(WebAssembly.Module.imports(module)).toEqual([
        { module: 'env', name: 'memory', kind: 'memory' },
      ]);
      const names = WebAssembly.Module.exports(module).map((e) => e.name);
      expect(names).toEqual(
        expect.arrayContaining([
          'groupNormForward',
          'batchMatMul',
          'winogradFilter',
          'winogradInput',
          'winogradProducts',
          'winogradOutput',
          'winogradGradOutput',
          'winogradGradProducts',
          'winogradGradFilter',
        ]),
      );
    }
  });

  it('computes the same on a shared memory (the threaded binary) as on an unshared one', () => {
    const [n, hw, c, groups] = [2, 9, 12, 3];
    const size = n * hw * c;
    const run = (memory: WebAssembly.Memory, base64: string) => {
      const instance = new WebAssembly.Instance(new WebAssembly.Module(binary(base64)), {
        env: { memory },
      });
      const f32 = new Float32Array(memory.buffer);
      f32.set(values(size, 7, 2, -1), 0);
      f32.set(values(c, 8, 0.5, 1), 3 * size);
      f32.set(values(c, 9), 3 * size + c);
      const at = (floats: number) => floats * 4;
      (instance.exports.groupNormForward as GroupNormSimdForward)(
        at(0),
        at(size),
        at(2 * size),
        at(3 * size),
        at(3 * size + c),
        at(3 * size + 2 * c),
        at(3 * size + 2 * c + 2 * n * groups),
        at(3 * size + 6 * c + 2 * n * groups),
        n,
        hw,
        c,
        groups,
        1e-5,
        1,
      );
      return Float32Array.from(f32.subarray(size, 3 * size + 2 * c + 2 * n * groups));
    };
    const plain = run(new WebAssembly.Memory({ initial: 1 }), SIMD_WASM);
    const shared = run(
      new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true }),
      SIMD_WASM_SHARED,
    );
    expect(shared).toEqual(plain);
  });
});

/** op(a)·op(b) per entry in float64, from the stored (possibly transposed) operands. */
function matMulReference(
  a: Float32Array,
  b: Float32Array,
  [batch, m, k, n]: number[],
  ta: boolean,
  tb: boolean,
): Float64Array {
  const c = new Float64Array(batch * m * n);
  for (let e = 0; e < batch; e++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let q = 0; q < k; q++) {
          const av = ta ? a[e * m * k + q * m + i] : a[e * m * k + i * k + q];
          const bv = tb ? b[e * k * n + j * k + q] : b[e * k * n + q * n + j];
          s += av * bv;
        }
        c[(e * m + i) * n + j] = s;
      }
    }
  }
  return c;
}

describe('SIMD batched matMul', () => {
  beforeAll(async () => {
    await initWasmForTests();
    await tf.setBackend('wasm');
  });
  afterEach(() => {
    setSimdKernels(true);
  });

  it.each([
    // attention's q·kᵀ and p·v (MNIST model, 7×7 tokens, 48 channels), its gradient's pᵀ·dO;
    // widths around the kernel's blocks of 16 and 4 columns; both operands transposed.
    [[3, 49, 48, 49], false, true],
    [[3, 49, 49, 48], false, false],
    [[2, 49, 49, 48], true, false],
    [[2, 5, 7, 21], false, false],
    [[2, 6, 9, 19], false, true],
    [[4, 3, 2, 3], true, false],
    [[2, 7, 5, 18], true, true],
  ] as const)(
    '%j, transposeA %s, transposeB %s: the same bits as XNNPACK, and float64',
    async (dims, ta, tb) => {
      const [batch, m, k, n] = dims;
      const av = values(batch * m * k, 21);
      const bv = values(batch * k * n, 22);
      const run = async () => {
        const a = tf.tensor3d(av, ta ? [batch, k, m] : [batch, m, k]);
        const b = tf.tensor3d(bv, tb ? [batch, n, k] : [batch, k, n]);
        const c = tf.matMul(a, b, ta, tb);
        const out = (await c.data()) as Float32Array;
        tf.dispose([a, b, c]);
        return out;
      };
      const simd = await run();
      setSimdKernels(false);
      const xnnpack = await run();
      // Summed in XNNPACK's order: an image's values do not depend on its batch's path (the
      // sampling workers' parts, of one or more images, equal the whole batch's bit for bit).
      expect(simd).toEqual(xnnpack);
      // k float32 products of values in [-1, 1), summed in order: within ~k²·2⁻²⁴ of float64.
      const ref = matMulReference(av, bv, [...dims], ta, tb);
      expect(maxAbsError(simd, ref)).toBeLessThan(k * k * 2 ** -24);
    },
  );
});
