// The 3×3 conv kernel (conv3x3.ts, assembly/conv3x3.ts): bit for bit what XNNPACK gives on
// every shape it takes (widths that leave pixels over, channel counts that leave 4 over, no bias),
// within float32 rounding of float64, taken only where it applies, and no tensor left behind.
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setSimdKernels, simdKernels, type SimdKernels } from './simdKernels';
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
  { n: 1, h: 5, w: 6, cin: 33, cout: 12 },
  { n: 2, h: 3, w: 1, cin: 32, cout: 4 },
  { n: 1, h: 2, w: 3, cin: 35, cout: 8 },
  { n: 2, h: 4, w: 9, cin: 40, cout: 20 },
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

/** Counts the calls of the SIMD conv while fn runs. */
async function counting<T>(fn: () => Promise<T>): Promise<{ result: T; calls: number }> {
  const simd = simdKernels(tf.backend() as BackendWasm) as SimdKernels;
  const [c8, c4] = [simd.conv3x3, simd.conv3x3Last4];
  let calls = 0;
  simd.conv3x3 = (...a) => (calls++, c8(...a));
  simd.conv3x3Last4 = (...a) => (calls++, c4(...a));
  try {
    return { result: await fn(), calls };
  } finally {
    simd.conv3x3 = c8;
    simd.conv3x3Last4 = c4;
  }
}

async function fused(c: Case, seed: number, withBias = true, simd = true) {
  const was = setSimdKernels(simd);
  try {
    const { x, filter, bias } = inputs(c, seed);
    const y = tf.fused.conv2d({
      x,
      filter,
      strides: 1,
      pad: 'same',
      bias: withBias ? bias : undefined,
    });
    const out = (await y.data()) as Float32Array;
    const ins = await Promise.all([x.data(), filter.data(), bias.data()]);
    tf.dispose([x, filter, bias, y]);
    return { out, ins: ins as Float32Array[] };
  } finally {
    setSimdKernels(was);
  }
}

describe('SIMD 3×3 conv', () => {
  beforeAll(async () => {
    await initWasmForTests();
  });
  afterEach(() => setSimdKernels(true));

  it('runs on the wasm backend here, on an unshared memory', () => {
    const simd = simdKernels(tf.backend() as BackendWasm);
    expect(simd).not.toBeNull();
    expect(simd?.threaded).toBe(false);
  });

  it.each(CASES)('equals XNNPACK bit for bit and float64 within rounding: %o', async (c) => {
    const { result, calls } = await counting(() => fused(c, 11 * c.cin + c.w));
    expect(calls).toBeGreaterThan(0);
    const xnn = await fused(c, 11 * c.cin + c.w, true, false);
    expect(result.out).toEqual(xnn.out);
    const [x, f, b] = result.ins;
    const { y, terms } = reference(x, f, b, c);
    const bound = (9 * c.cin + 1) * terms * 2 ** -24;
    let err = 0;
    for (let i = 0; i < y.length; i++) err = Math.max(err, Math.abs(result.out[i] - y[i]));
    expect(err).toBeLessThanOrEqual(bound);
  });

  it('runs tf.conv2d and a bias-less fused conv the same as XNNPACK', async () => {
    const c = CASES[2];
    const { result, calls } = await counting(() => fused(c, 5, false));
    expect(calls).toBe(2); // 8 channels, then the last 4
    expect(result.out).toEqual((await fused(c, 5, false, false)).out);
    const plain = async () => {
      const { x, filter, bias } = inputs(c, 5);
      const y = tf.conv2d(x, filter, 1, 'same');
      const out = await y.data();
      tf.dispose([x, filter, bias, y]);
      return out;
    };
    const mine = await counting(plain);
    expect(mine.calls).toBe(2);
    setSimdKernels(false);
    expect(mine.result).toEqual(await plain());
  });

  it('leaves strided, padded, activated and odd-channel convs to tfjs', async () => {
    const c = { n: 1, h: 6, w: 6, cin: 32, cout: 8 };
    const variants: ((t: ReturnType<typeof inputs>) => tf.Tensor)[] = [
      (t) => tf.fused.conv2d({ ...t, strides: 2, pad: 'same' }),
      (t) => tf.fused.conv2d({ ...t, strides: 1, pad: 'valid' }),
      (t) => tf.fused.conv2d({ ...t, strides: 1, pad: 'same', activation: 'relu' }),
      (t) => tf.fused.conv2d({ ...t, strides: 1, pad: 'same', dilations: 2 }),
      (t) => tf.conv2d(t.x, tf.slice(t.filter, [0, 0, 0, 0], [3, 3, 32, 6]), 1, 'same'),
      (t) => tf.conv2d(t.x, tf.slice(t.filter, [0, 0, 0, 0], [1, 1, 32, 8]), 1, 'same'),
      (t) =>
        tf.conv2d(
          tf.slice(t.x, [0, 0, 0, 0], [1, 6, 6, 31]),
          tf.slice(t.filter, [0, 0, 0, 0], [3, 3, 31, 8]),
          1,
          'same',
        ),
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

  it('frees what it allocates', async () => {
    const c = CASES[5];
    await fused(c, 1);
    const backend = tf.backend() as BackendWasm;
    const before = [tf.memory().numTensors, backend.dataIdMap.numDataIds()];
    for (let i = 0; i < 3; i++) await fused(c, i);
    expect([tf.memory().numTensors, backend.dataIdMap.numDataIds()]).toEqual(before);
  });
});
