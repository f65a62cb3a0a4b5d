import { describe, expect, it } from 'vitest';
import { decadeDomain, decadeTicks, formatDecade } from './logTicks';

describe('log axis ticks at powers of ten', () => {
  it('encloses the positive values in whole decades and ignores zeros, NaN and nulls', () => {
    expect(decadeDomain([1e-4, 0.02, 0, NaN, null, -1])).toEqual([1e-4, 0.1]);
    // The linear schedule's β from 1e-4 to 0.02 and the cosine one's up to 0.999.
    expect(decadeDomain([4.1e-5, 0.999])).toEqual([1e-5, 1]);
    expect(decadeDomain([0, -2])).toBeNull();
    // A single value still spans a decade.
    expect(decadeDomain([0.05])).toEqual([0.01, 0.1]);
  });
  it('puts one tick at each power of ten and labels it 10ⁿ', () => {
    const ticks = decadeTicks([1e-4, 1]);
    expect(ticks).toHaveLength(5);
    ticks.forEach((v, i) => expect(v).toBeCloseTo(10 ** (i - 4), 12));
    expect(ticks.map(formatDecade)).toEqual(['10⁻⁴', '10⁻³', '10⁻²', '10⁻¹', '1']);
    expect(formatDecade(10)).toBe('10');
    expect(formatDecade(1000)).toBe('10³');
  });
});
