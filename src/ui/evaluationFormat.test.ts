import { describe, expect, it } from 'vitest';
import type { ScaleResult } from '../worker/api';
import {
  DEFAULT_SCALES_TEXT,
  accuracyColour,
  formatSeconds,
  parseScales,
  secondsLeft,
  tradeoffPoints,
} from './evaluationFormat';

describe('parseScales', () => {
  it('reads the default list and any separators, sorted and without repeats', () => {
    expect(parseScales(DEFAULT_SCALES_TEXT)).toEqual({ scales: [0, 1, 2, 3, 5, 7.5], error: null });
    expect(parseScales(' 3;0  3,\n.5 ')).toEqual({ scales: [0, 0.5, 3], error: null });
  });

  it('says what is wrong instead of guessing', () => {
    expect(parseScales(' , ').error).toBe('Give at least one guidance scale.');
    expect(parseScales('1, two').error).toBe('"two" is not a number like 3 or 7.5.');
    expect(parseScales('-1').error).toMatch(/not a number/);
    expect(parseScales('1e3').error).toMatch(/not a number/);
    expect(parseScales('25').error).toBe('25 is above 20: use scales from 0 to 20.');
    expect(parseScales('0 1 2 3 4 5 6 7 8 9 10 11 12').error).toBe('At most 12 scales (got 13).');
  });
});

describe('time left and chart rows', () => {
  it('extrapolates the pace so far', () => {
    expect(secondsLeft(0, 10)).toBeNull();
    expect(secondsLeft(0.25, 10)).toBeCloseTo(30, 12);
    expect(secondsLeft(1, 10)).toBe(0);
    expect(formatSeconds(0.2)).toBe('1 s');
    expect(formatSeconds(75)).toBe('1 min 15 s');
    expect(formatSeconds(59.6)).toBe('1 min 0 s');
    expect(formatSeconds(119.7)).toBe('2 min 0 s');
    expect(formatSeconds(3700)).toBe('1 h 1 min');
  });

  it('one point per scale in ascending s, accuracy in per cent', () => {
    const result = (s: number, acc: number, fd: number) =>
      ({
        guidanceScale: s,
        accuracy: { overall: acc, perClass: [], counts: [] },
        frechetDistance: fd,
        diversity: { perClass: [], mean: 0.9 },
      }) as unknown as ScaleResult;
    expect(tradeoffPoints([result(3, 0.95, 100), result(0, 0.1, 260)])).toEqual([
      { s: 0, accuracy: 10, fd: 260, diversity: 0.9 },
      { s: 3, accuracy: 95, fd: 100, diversity: 0.9 },
    ]);
  });

  it('colours accuracy from red to green', () => {
    expect(accuracyColour(0)).toBe('hsl(0 70% 78%)');
    expect(accuracyColour(1)).toBe('hsl(120 70% 78%)');
    expect(accuracyColour(null)).toBe('transparent');
  });
});
