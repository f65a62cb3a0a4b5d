import { describe, expect, it } from 'vitest';
import {
  augLevelIndex,
  blurMatrix,
  blurRadius,
  gaussianKernel1d,
  noiseAugmentCoefficients,
  trainingAugValue,
  validateAugLevel,
  validateAugStrength,
} from './conditioningAugmentation';
import { makeSchedule } from './schedule';
import { loadReference } from './test-utils/reference';
import { mulberry32 } from '../random/seeded';

const sum = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0);

describe('gaussianKernel1d (CDM Sec. 4.1 blur)', () => {
  it('sums to 1, is symmetric and follows exp(−j²/2σ²)', () => {
    for (const sigma of [0.4, 0.6, 1, 2.5]) {
      const r = blurRadius(sigma);
      const k = gaussianKernel1d(sigma);
      expect(k.length).toBe(2 * r + 1);
      expect(sum(k)).toBeCloseTo(1, 14);
      for (let j = 0; j <= r; j++) expect(k[r + j]).toBeCloseTo(k[r - j], 15);
      // Ratio of neighbouring taps from the formula, independent of the normalisation.
      expect(k[r + 1] / k[r]).toBeCloseTo(Math.exp(-1 / (2 * sigma * sigma)), 12);
    }
  });

  it('is the identity at σ = 0 and rejects bad input', () => {
    expect(Array.from(gaussianKernel1d(0, 2))).toEqual([0, 0, 1, 0, 0]);
    expect(() => gaussianKernel1d(-1)).toThrow(/σ/);
    expect(() => gaussianKernel1d(Number.NaN)).toThrow(/σ/);
    expect(() => gaussianKernel1d(1, 1.5)).toThrow(/radius/);
  });

  it('covers 3σ', () => {
    expect(blurRadius(0.5)).toBe(2);
    expect(blurRadius(1)).toBe(3);
    expect(blurRadius(0.1)).toBe(1);
  });
});

describe('blurMatrix', () => {
  it('has rows summing to 1 and equals the kernel in the interior', () => {
    const n = 14;
    const sigma = 1;
    const m = blurMatrix(n, sigma);
    const k = gaussianKernel1d(sigma);
    const r = blurRadius(sigma);
    for (let i = 0; i < n; i++) expect(sum(m.subarray(i * n, (i + 1) * n))).toBeCloseTo(1, 14);
    const i = 7; // far enough from both borders
    for (let j = 0; j < n; j++) {
      const d = j - i;
      expect(m[i * n + j]).toBeCloseTo(Math.abs(d) <= r ? k[d + r] : 0, 15);
    }
  });

  it('keeps a constant image constant (MNIST background −1) and is the identity at σ = 0', () => {
    const n = 5;
    const m = blurMatrix(n, 2);
    for (let i = 0; i < n; i++) {
      let v = 0;
      for (let j = 0; j < n; j++) v += m[i * n + j] * -1;
      expect(v).toBeCloseTo(-1, 14);
    }
    const id = blurMatrix(3, 0);
    expect(Array.from(id)).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  });
});

describe('noise augmentation z_s = √ᾱ_s·x + √(1−ᾱ_s)·ε (CDM Sec. 4.2)', () => {
  it('uses the schedule’s ᾱ_s (float64 reference values)', () => {
    const ref = loadReference() as { linear_T1000: { alphaBar: Record<string, number> } };
    const schedule = makeSchedule({ kind: 'linear', T: 1000 });
    for (const [s, ab] of Object.entries(ref.linear_T1000.alphaBar)) {
      const c = noiseAugmentCoefficients(schedule.alphaBars, Number(s));
      expect(c.signal).toBeCloseTo(Math.sqrt(ab), 12);
      expect(c.noise).toBeCloseTo(Math.sqrt(1 - ab), 12);
      // A variance-preserving mix: signal² + noise² = 1.
      expect(c.signal ** 2 + c.noise ** 2).toBeCloseTo(1, 14);
    }
    expect(() => noiseAugmentCoefficients(schedule.alphaBars, 1000)).toThrow(/level s/);
    expect(() => noiseAugmentCoefficients(schedule.alphaBars, 1.5)).toThrow(/level s/);
  });

  it('maps a level a ∈ [0, 1] to s = round(a(T − 1))', () => {
    expect(augLevelIndex(0, 1000)).toBe(0);
    expect(augLevelIndex(0.1, 1000)).toBe(100);
    expect(augLevelIndex(0.5, 1000)).toBe(500);
    expect(augLevelIndex(1, 1000)).toBe(999);
    expect(() => augLevelIndex(1.2, 1000)).toThrow(/\[0, 1\]/);
    expect(() => augLevelIndex(Number.NaN, 1000)).toThrow(/\[0, 1\]/);
  });
});

describe('training draws', () => {
  it('noise: s uniform on {0..s_max} (seeded, χ² within tolerance)', () => {
    const rand = mulberry32(12345);
    const sMax = augLevelIndex(0.004, 1000); // 4: five levels
    expect(sMax).toBe(4);
    const counts = new Array<number>(sMax + 1).fill(0);
    const N = 20000;
    for (let i = 0; i < N; i++) {
      const s = trainingAugValue('noise', 0.004, 1000, rand());
      expect(Number.isInteger(s) && s >= 0 && s <= sMax).toBe(true);
      counts[s]++;
    }
    const e = N / (sMax + 1);
    const chi2 = counts.reduce((a, c) => a + (c - e) ** 2 / e, 0);
    // 4 degrees of freedom: P(χ² > 18.5) < 0.001.
    expect(chi2).toBeLessThan(18.5);
    expect(trainingAugValue('noise', 0.5, 1000, 0.999999)).toBe(500);
  });

  it('blur: σ = u·σ_max; none: 0', () => {
    expect(trainingAugValue('blur', 2, 1000, 0.25)).toBe(0.5);
    expect(trainingAugValue('none', 0, 1000, 0.7)).toBe(0);
  });
});

describe('validation', () => {
  it('checks training strengths per kind', () => {
    expect(validateAugStrength('noise', 0.5)).toBe(0.5);
    expect(validateAugStrength('blur', 3)).toBe(3);
    expect(validateAugStrength('none', 0)).toBe(0);
    expect(() => validateAugStrength('noise', 0)).toThrow(/\(0, 1\]/);
    expect(() => validateAugStrength('noise', 1.5)).toThrow(/\(0, 1\]/);
    expect(() => validateAugStrength('blur', 3.5)).toThrow(/σ_max/);
    expect(() => validateAugStrength('none', 0.3)).toThrow(/no strength/);
    expect(() => validateAugStrength('sharpen' as 'noise', 1)).toThrow(/one of/);
  });

  it('checks sampling levels per kind', () => {
    expect(validateAugLevel('noise', 0)).toBe(0);
    expect(validateAugLevel('blur', 0.6)).toBe(0.6);
    expect(() => validateAugLevel('noise', -0.1)).toThrow(/\[0, 1\]/);
    expect(() => validateAugLevel('none', 0.1)).toThrow(/without augmentation/);
    expect(() => validateAugLevel('blur', Number.POSITIVE_INFINITY)).toThrow(/σ/);
  });
});
