import { describe, expect, it } from 'vitest';
import { cosineLearningRate } from './schedule';

describe('cosineLearningRate', () => {
  it('warms up linearly, peaks, and decays along a half cosine to 0', () => {
    const lr = (s: number) => cosineLearningRate(1e-3, 10, 110, s);
    expect(lr(0)).toBeCloseTo(1e-4, 15);
    expect(lr(9)).toBeCloseTo(1e-3, 15);
    expect(lr(10)).toBeCloseTo(1e-3, 15);
    expect(lr(60)).toBeCloseTo(0.5e-3, 15); // half-way: cos(π/2) = 0
    expect(lr(35)).toBeCloseTo(0.5e-3 * (1 + Math.SQRT1_2), 15); // a quarter: cos(π/4)
    expect(lr(110)).toBeCloseTo(0, 15);
    for (let s = 11; s < 110; s++) expect(lr(s)).toBeLessThan(lr(s - 1));
  });

  it('starts at the peak without warm-up', () => {
    expect(cosineLearningRate(2e-3, 0, 100, 0)).toBe(2e-3);
  });
});
