// The 3×3 conv kernel (conv3x3.ts, assembly/winograd.ts): within float32 rounding of float64 on
// the shapes it takes (heights and widths that leave a row or column of a 2×2 tile over, channel
// counts that leave 4 over, no bias), each image the same bit for bit whatever batch it is in,
// taken only where it applies (and not for a gradient on the threaded binary), nothing left behind.
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setWinogradConv } from './conv3x3';
import { simdKernels, type SimdKernels } from './simdKernels';
import { initWasmForTests, randomValues } from './testing';
import type { BackendWasm } from './wasmCalls';

interface Case {
  n: number;
  h: number;
  w: number;
  cin: number;
  cout: number;
}

// The MNIST U-Net's convs (patch 2: 14×14 and 7×7) and shapes that leave lanes or pixels over.
const CASES: Case[] = [
  { n: 2, h: 14, w: 14, cin: 48, cout: 24 },
  { n: 3, h: 7, w: 7, cin: 72, cout: 48 },
  { n: 1, h: 5, w: 6, cin: 12, cout: 12 },
  { n: 2, h: 3, w: 1, cin: 8, cout: 4 },
  { n: 1, h: 1, w: 3, cin: 16, cout: 8 },
  { n: 2, h: 4, w: 9, cin: 40, cout: 20 },
  { n: 1, h: 6, w: 6, cin: 24, cout: 36 },
];

function inputs({ n, h, w, cin, cout }: Case, seed: number) {
  return {
    x: tf.tensor4d(randomValues(n * h * w * cin, seed), [n, h, w, cin]),
    filter: tf.tensor4d(randomValues(9 * cin * cout, seed + 1), [3, 3, cin, cout]),
    bias: tf.tensor1d(randomValues(cout, seed + 2)),
  };
}

/** The conv in float64, and the largest Σ|terms| of an output (bounds float32 rounding). */
function reference(
  x: Float32Array,
  f: Float32Array,
  b: Float32Array | null,
  { n, h, w, cin, cout }: Case,
) {
  const y = new Float64Array(n * h * w * cout);
  let terms = 0;
  for (let i = 0; i < n; i++)
    for (let r = 0; r < h; r++)
      for (let c = 0; c < w; c++)
        for (let o = 0; o < cout; o++) {
          let s = b ? b[o] : 0;
          let t = Math.abs(s);
          for (let dy = 0; dy < 3; dy++)
            for (let dx = 0; dx < 3; dx++) {
              const [rr, cc] = [r + dy - 1, c + dx - 1];
              if (rr < 0 || rr >= h || cc < 0 || cc >= w) continue;
              for (let k = 0; k < cin; k++) {
                const p =
                  x[((i * h + rr) * w + cc) * cin + k] * f[((dy * 3 + dx) * cin + k) * cout + o];
                s += p;
                t += Math.abs(p);
              }
            }
          y[((i * h + r) * w + c) * cout + o] = s;
          terms = Math.max(terms, t);
        }
  return { y, terms };
}

/** Counts the convs the Winograd kernel ran while fn ran. */
async function counting<T>(fn: () => Promise<T>): Promise<{ result: T; calls: number }> {
  const simd = simdKernels(tf.backend() as BackendWasm) as SimdKernels;
  const filter = simd.winograd.filter;
  let calls = 0;
  simd.winograd.filter = (...a) => (calls++, filter(...a));
  try {
    return { result: await fn(), calls };
  } finally {
    simd.winograd.filter = filter;
  }
}

async function fused(c: Case, seed: number, withBias = true) {
  const { x, filter, bias } = inputs(c, seed);
  const y = tf.fused.conv2d({
    x,
    filter,
    strides: 1,
    pad: 'same',
    bias: withBias ? bias : undefined,
  });
  const out = (await y.data()) as Float32Array;
  const ins = (await Promise.all([x.data(), filter.data(), bias.data()])) as Float32Array[];
  tf.dispose([x, filter, bias, y]);
  return { out, ins };
}

/** max |out − y| over the largest Σ|terms| of an output: float32 rounding is ~2⁻²⁴ of it. */
function errorOf(out: Float32Array, y: Float64Array, terms: number): number {
  let err = 0;
  for (let i = 0; i < y.length; i++) err = Math.max(err, Math.abs(out[i] - y[i]));
  return err / terms;
}

/**
 * The transforms add and subtract up to 4 (input) and 9 (output) terms and halve (filter) before
 * and after the sums over channels; measured ≤ 0.1·2⁻²⁴·Σ|terms| on these cases, a wrong
 * coefficient gives O(1).
 */
const TOLERANCE = 64 * 2 ** -24;

describe('SIMD 3×3 conv (Winograd F(2×2, 3×3))', () => {
  beforeAll(async () => {
    await initWasmForTests();
  });
  afterEach(() => setWinogradConv(true));

  it('runs on the wasm backend here, on an unshared memory', () => {
    const simd = simdKernels(tf.backend() as BackendWasm);
    expect(simd).not.toBeNull();
    expect(simd?.threaded).toBe(false);
  });

  it.each(CASES)('equals the convolution in float64 within float32 rounding: %o', async (c) => {
    const { result, calls } = await counting(() => fused(c, 11 * c.cin + c.w));
    expect(calls).toBe(1);
    const [x, f, b] = result.ins;
    const { y, terms } = reference(x, f, b, c);
    expect(errorOf(result.out, y, terms)).toBeLessThanOrEqual(TOLERANCE);
    // As accurate as XNNPACK's direct sums, or more.
    setWinogradConv(false);
    const { result: xnn, calls: none } = await counting(() => fused(c, 11 * c.cin + c.w));
    expect(none).toBe(0);
    expect(errorOf(result.out, y, terms)).toBeLessThanOrEqual(2 * errorOf(xnn.out, y, terms));
  });

  it('gives each image the same bits whatever batch it is in (the sampling workers rely on it)', async () => {
    const c = { n: 5, h: 7, w: 7, cin: 24, cout: 48 };
    const whole = await fused(c, 3);
    const { x, filter, bias } = inputs(c, 3);
    const per = c.h * c.w * c.cout;
    for (const [from, count] of [
      [0, 1],
      [1, 3],
      [4, 1],
    ]) {
      const part = tf.slice(x, [from, 0, 0, 0], [count, c.h, c.w, c.cin]);
      const y = tf.fused.conv2d({ x: part, filter, strides: 1, pad: 'same', bias });
      const out = (await y.data()) as Float32Array;
      expect(out).toEqual(whole.out.subarray(from * per, (from + count) * per));
      tf.dispose([part, y]);
    }
    tf.dispose([x, filter, bias]);
  });

  it('runs tf.conv2d and a bias-less fused conv', async () => {
    const c = CASES[6];
    const { result, calls } = await counting(() => fused(c, 5, false));
    expect(calls).toBe(1);
    const [x, f] = result.ins;
    const { y, terms } = reference(x, f, null, c);
    expect(errorOf(result.out, y, terms)).toBeLessThanOrEqual(TOLERANCE);
    const plain = await counting(async () => {
      const t = inputs(c, 5);
      const out = tf.conv2d(t.x, t.filter, 1, 'same');
      const values = (await out.data()) as Float32Array;
      tf.dispose([t.x, t.filter, t.bias, out]);
      return values;
    });
    expect(plain.calls).toBe(1);
    expect(plain.result).toEqual(result.out);
  });

  it('leaves strided, padded, activated, dilated and other convs to tfjs', async () => {
    const c = { n: 1, h: 6, w: 6, cin: 8, cout: 8 };
    const sliced = (t: tf.Tensor4D, cin: number, cout: number, k = 3) =>
      tf.slice(t, [0, 0, 0, 0], [k, k, cin, cout]);
    const x = (t: tf.Tensor4D, cin: number) => tf.slice(t, [0, 0, 0, 0], [1, 6, 6, cin]);
    const variants: ((t: ReturnType<typeof inputs>) => tf.Tensor)[] = [
      (t) => tf.fused.conv2d({ ...t, strides: 2, pad: 'same' }),
      (t) => tf.fused.conv2d({ ...t, strides: 1, pad: 'valid' }),
      (t) => tf.fused.conv2d({ ...t, strides: 1, pad: 'same', activation: 'relu' }),
      (t) => tf.fused.conv2d({ ...t, strides: 1, pad: 'same', dilations: 2 }),
      (t) => tf.conv2d(t.x, sliced(t.filter, 8, 6), 1, 'same'),
      (t) =>
        tf.conv2d(t.x, t.filter, 1, [
          [0, 0],
          [2, 2],
          [1, 1],
          [0, 0],
        ]),
      (t) => tf.conv2d(t.x, sliced(t.filter, 8, 8, 1), 1, 'same'),
      (t) => tf.conv2d(x(t.x, 6), sliced(t.filter, 6, 8), 1, 'same'),
      (t) => tf.conv2d(x(t.x, 4), sliced(t.filter, 4, 8), 1, 'same'),
    ];
    for (const v of variants) {
      const { calls } = await counting(async () => {
        const t = inputs(c, 3);
        const y = tf.tidy(() => v(t));
        await y.data();
        tf.dispose([t.x, t.filter, t.bias, y]);
      });
      expect(calls).toBe(0);
    }
  });

  it('leaves a gradient on the threaded binary to XNNPACK, and takes it on one thread', async () => {
    const c = { n: 2, h: 6, w: 6, cin: 8, cout: 8 };
    const simd = simdKernels(tf.backend() as BackendWasm) as SimdKernels;
    const step = async () => {
      const t = inputs(c, 9);
      const g = tf.grads((x: tf.Tensor, f: tf.Tensor) =>
        tf.sum(
          tf.fused.conv2d({
            x: x as tf.Tensor4D,
            filter: f as tf.Tensor4D,
            strides: 1,
            pad: 'same',
            bias: t.bias,
          }),
        ),
      )([t.x, t.filter]);
      await Promise.all(g.map((d) => d.data()));
      tf.dispose([t.x, t.filter, t.bias, ...g]);
    };
    // One thread: the forward and the input gradient's conv.
    expect((await counting(step)).calls).toBe(2);
    simd.threaded = true;
    try {
      expect((await counting(step)).calls).toBe(0);
      // A pass outside a gradient (sampling) takes it there too.
      expect((await counting(() => fused(c, 9))).calls).toBe(1);
    } finally {
      simd.threaded = false;
    }
  });

  it.each([CASES[0], CASES[1], CASES[2], CASES[3], CASES[6]])(
    'computes the weight gradient within float32 rounding of float64: %o',
    async (c) => {
      const { n, h, w, cin, cout } = c;
      const simd = simdKernels(tf.backend() as BackendWasm) as SimdKernels;
      const gradFilter = simd.winograd.gradFilter;
      let calls = 0;
      simd.winograd.gradFilter = (...a) => (calls++, gradFilter(...a));
      const x = tf.tensor4d(randomValues(n * h * w * cin, 21), [n, h, w, cin]);
      const dy = tf.tensor4d(randomValues(n * h * w * cout, 22), [n, h, w, cout]);
      let dw: Float32Array;
      try {
        const f = tf.zeros([3, 3, cin, cout]);
        const t = tf.grad((g: tf.Tensor) =>
          tf.sum(tf.mul(tf.conv2d(x, g as tf.Tensor4D, 1, 'same'), dy)),
        )(f);
        dw = (await t.data()) as Float32Array;
        tf.dispose([f, t]);
      } finally {
        simd.winograd.gradFilter = gradFilter;
      }
      expect(calls).toBe(1);
      const [xs, dys] = (await Promise.all([x.data(), dy.data()])) as Float32Array[];
      tf.dispose([x, dy]);
      const ref = new Float64Array(9 * cin * cout);
      const abs = new Float64Array(9 * cin * cout);
      for (let i = 0; i < n; i++)
        for (let r = 0; r < h; r++)
          for (let q = 0; q < w; q++)
            for (let ky = 0; ky < 3; ky++)
              for (let kx = 0; kx < 3; kx++) {
                const [rr, qq] = [r + ky - 1, q + kx - 1];
                if (rr < 0 || rr >= h || qq < 0 || qq >= w) continue;
                for (let ci = 0; ci < cin; ci++) {
                  const xv = xs[((i * h + rr) * w + qq) * cin + ci];
                  for (let co = 0; co < cout; co++) {
                    const prod = xv * dys[((i * h + r) * w + q) * cout + co];
                    ref[((ky * 3 + kx) * cin + ci) * cout + co] += prod;
                    abs[((ky * 3 + kx) * cin + ci) * cout + co] += Math.abs(prod);
                  }
                }
              }
      const terms = Math.max(...abs);
      let err = 0;
      for (let i = 0; i < ref.length; i++) err = Math.max(err, Math.abs(dw[i] - ref[i]));
      expect(err / terms).toBeLessThanOrEqual(TOLERANCE);
    },
  );

  it('frees what it allocates', async () => {
    const c = CASES[5];
    await fused(c, 1);
    const backend = tf.backend() as BackendWasm;
    const before = [tf.memory().numTensors, backend.dataIdMap.numDataIds()];
    for (let i = 0; i < 3; i++) await fused(c, i);
    expect([tf.memory().numTensors, backend.dataIdMap.numDataIds()]).toEqual(before);
  });
});
