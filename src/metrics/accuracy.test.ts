import { describe, expect, it } from 'vitest';
import { argmaxRows, classAccuracy } from './accuracy';

describe('argmaxRows', () => {
  it('picks the largest score of each row, the first on ties', () => {
    const scores = Float32Array.of(0.1, 0.7, 0.2, 5, -1, 5, -3, -2, -1);
    expect([...argmaxRows(scores, 3, 3)]).toEqual([1, 0, 2]);
    expect(() => argmaxRows(scores, 2, 3)).toThrow(/expected n \* k = 6/);
  });
});

describe('classAccuracy', () => {
  it('counts hits overall and per true class, null for an absent class', () => {
    const labels = [0, 0, 0, 1, 1, 2, 2, 2, 2, 0];
    const predicted = [0, 1, 0, 1, 1, 2, 0, 2, 1, 0];
    const acc = classAccuracy(predicted, labels, 4);
    expect(acc.overall).toBeCloseTo(7 / 10, 15);
    expect(acc.perClass).toEqual([3 / 4, 1, 2 / 4, null]);
    expect(acc.counts).toEqual([4, 2, 4, 0]);
  });

  it('rejects bad labels and lengths', () => {
    expect(() => classAccuracy([0], [3], 3)).toThrow(/outside \[0, 2\]/);
    expect(() => classAccuracy([0, 1], [0], 3)).toThrow(/2 predictions for 1 labels/);
    expect(() => classAccuracy([], [], 3)).toThrow(/at least one/);
  });
});
