import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { timestepEmbedding, timestepEmbeddingValues, timestepFrequencies } from './embedding';
import { loadReference, referencePath } from './test-utils/reference';

const REFERENCE_KEY = 'timeEmbedding_ddpm_t1_dim8';

/** The 8 float64 values of the DDPM embedding of t = 1 (test-utils/reference-values.json). */
function referenceEmbedding(): number[] {
  const values = loadReference()[REFERENCE_KEY];
  if (!Array.isArray(values) || values.length !== 8) {
    throw new Error(`${referencePath} has no 8-value array under "${REFERENCE_KEY}".`);
  }
  return values as number[];
}

async function embed(ts: number[], dim: number, dtype: 'float32' | 'int32' = 'float32') {
  const t = tf.tensor1d(ts, dtype);
  const e = timestepEmbedding(t, dim);
  const values = await e.data();
  const shape = e.shape;
  t.dispose();
  e.dispose();
  return { values, shape };
}

describe('timestepEmbedding (DDPM convention)', () => {
  it('matches the float64 reference for t=1, dim=8', async () => {
    const ref = referenceEmbedding();
    const f64 = timestepEmbeddingValues(1, 8);
    for (let i = 0; i < 8; i++) expect(Math.abs(f64[i] - ref[i])).toBeLessThan(1e-12);
    const { values, shape } = await embed([1], 8);
    expect(shape).toEqual([1, 8]);
    for (let i = 0; i < 8; i++) expect(Math.abs(values[i] - ref[i])).toBeLessThan(1e-6);
  });

  it('has freq_0 = 1 and freq_{half-1} = 1/10000', () => {
    const f = timestepFrequencies(16);
    expect(f.length).toBe(8);
    expect(f[0]).toBe(1);
    expect(Math.abs(f[7] - 1e-4)).toBeLessThan(1e-18);
  });

  it('gives sin=0, cos=1 at t=0 and matches the float64 version at t=500 (dim 16)', async () => {
    const { values, shape } = await embed([0, 500, 1], 16, 'int32');
    expect(shape).toEqual([3, 16]);
    for (let k = 0; k < 8; k++) {
      expect(values[k]).toBe(0);
      expect(values[8 + k]).toBe(1);
    }
    const ref500 = timestepEmbeddingValues(500, 16);
    // Hand-computed: freq_1 = 10000^(-1/7); sin(500) and cos(500 * 1e-4) at both ends.
    expect(ref500[0]).toBeCloseTo(Math.sin(500), 14);
    expect(ref500[1]).toBeCloseTo(Math.sin(500 * Math.pow(10000, -1 / 7)), 14);
    expect(ref500[15]).toBeCloseTo(Math.cos(0.05), 14);
    // float32 arguments: t * freq is rounded to ~3e-5 absolute at t=500, hence 1e-4.
    for (let i = 0; i < 16; i++) expect(Math.abs(values[16 + i] - ref500[i])).toBeLessThan(1e-4);
    const ref1 = timestepEmbeddingValues(1, 16);
    for (let i = 0; i < 16; i++) expect(Math.abs(values[32 + i] - ref1[i])).toBeLessThan(1e-6);
  });

  it('pads odd dims with a zero and rejects dims below 4', async () => {
    const { values, shape } = await embed([3], 9);
    expect(shape).toEqual([1, 9]);
    expect(values[8]).toBe(0);
    expect(timestepEmbeddingValues(3, 9)[8]).toBe(0);
    expect(() => timestepFrequencies(2)).toThrow(/>= 4/);
  });

  it('leaks no tensors', () => {
    const before = tf.memory().numTensors;
    const t = tf.tensor1d([1, 2]);
    timestepEmbedding(t, 8).dispose();
    t.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
