import { describe, expect, it } from 'vitest';
import { diversityRatio, meanPairwiseDistance, perClassPairwiseDistance } from './diversity';

describe('meanPairwiseDistance', () => {
  it('averages the L2 distance over all pairs', () => {
    // Points (0,0), (3,4), (6,8): distances 5, 10, 5.
    const f = Float32Array.of(0, 0, 3, 4, 6, 8);
    expect(meanPairwiseDistance(f, 2, [0, 1, 2])).toBeCloseTo(20 / 3, 6);
    expect(meanPairwiseDistance(f, 2, [0, 2])).toBeCloseTo(10, 6);
    expect(meanPairwiseDistance(f, 2, [1])).toBeNull();
  });

  it('is 0 for identical vectors (mode collapse)', () => {
    const f = Float32Array.of(1, 2, 1, 2, 1, 2);
    expect(meanPairwiseDistance(f, 2, [0, 1, 2])).toBe(0);
  });
});

describe('perClassPairwiseDistance and diversityRatio', () => {
  it('groups rows by label and divides by the reference per class', () => {
    // Class 0: (0), (2) -> 2; class 1: (5), (5), (5) -> 0; class 2: (1) alone -> null.
    const f = Float32Array.of(0, 5, 2, 5, 1, 5);
    const labels = [0, 1, 0, 1, 2, 1];
    const per = perClassPairwiseDistance(f, 1, labels, 3);
    expect(per).toEqual([2, 0, null]);
    const div = diversityRatio(per, [4, 1, 3]);
    expect(div.perClass).toEqual([0.5, 0, null]);
    expect(div.mean).toBeCloseTo(0.25, 15);
    expect(diversityRatio([null], [1]).mean).toBeNull();
  });

  it('rejects labels out of range and mismatched sizes', () => {
    expect(() => perClassPairwiseDistance(Float32Array.of(1, 2), 1, [0, 3], 3)).toThrow(/outside/);
    expect(() => perClassPairwiseDistance(Float32Array.of(1, 2), 2, [0, 1], 3)).toThrow(/values/);
    expect(() => diversityRatio([1, 2], [1])).toThrow(/2 sample classes vs 1/);
  });
});
