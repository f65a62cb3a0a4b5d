import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../random/seeded';
import { latentScaleFactor, scaleLatents, unscaleLatents } from './latentScaling';

describe('latentScaleFactor (LDM scale_factor = 1 / std of the latents)', () => {
  it('is 1 / the unbiased standard deviation, as torch.std()', () => {
    // [1, 2, 3, 4]: mean 2.5, Σ(x − m)² = 5, unbiased variance 5/3 (worked by hand).
    expect(latentScaleFactor([1, 2, 3, 4])).toBeCloseTo(1 / Math.sqrt(5 / 3), 12);
    // Shifting the latents does not change it; scaling by k divides it by k.
    expect(latentScaleFactor([101, 102, 103, 104])).toBeCloseTo(1 / Math.sqrt(5 / 3), 10);
    expect(latentScaleFactor([-3, -6, -9, -12])).toBeCloseTo(1 / (3 * Math.sqrt(5 / 3)), 12);
  });

  it('makes seeded N(μ, 2.5²) latents unit-variance (tolerance 2%)', () => {
    const rand = mulberry32(7);
    const z = new Float32Array(40_000);
    for (let i = 0; i < z.length; i += 2) {
      // Box–Muller.
      const r = Math.sqrt(-2 * Math.log(1 - rand()));
      const a = 2 * Math.PI * rand();
      z[i] = 0.3 + 2.5 * r * Math.cos(a);
      z[i + 1] = 0.3 + 2.5 * r * Math.sin(a);
    }
    const scale = latentScaleFactor(z);
    expect(scale).toBeGreaterThan(0.98 / 2.5);
    expect(scale).toBeLessThan(1.02 / 2.5);
    expect(latentScaleFactor(scaleLatents(z, scale))).toBeCloseTo(1, 5);
  });

  it('scales and unscales as inverses, and rejects constant or too few values', () => {
    const z = [0.5, -1, 2];
    expect(Array.from(unscaleLatents(scaleLatents(z, 0.8), 0.8))).toEqual(
      z.map((v) => Math.fround(Math.fround(v * 0.8) / 0.8)),
    );
    expect(() => latentScaleFactor([1])).toThrow(/at least 2/);
    expect(() => latentScaleFactor([2, 2, 2])).toThrow(/standard deviation is 0/);
  });
});
