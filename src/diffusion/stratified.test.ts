import { describe, expect, it } from 'vitest';
import { makeStrata, stratifiedOrder, stratifiedSum } from './stratified';

function lcg(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
}

describe('makeStrata', () => {
  it('covers 0..T−1 with K contiguous blocks of near-equal size', () => {
    const s = makeStrata(1000, 16);
    expect(s).toHaveLength(16);
    expect(s[0].start).toBe(0);
    expect(s[15].end).toBe(1000);
    for (let j = 1; j < s.length; j++) expect(s[j].start).toBe(s[j - 1].end);
    const sizes = s.map((x) => x.end - x.start);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    expect(makeStrata(5, 16)).toHaveLength(5);
  });

  it("'log' gives one-index strata at small t and covers 0..T−1", () => {
    const s = makeStrata(1000, 20, 'log');
    expect(s.slice(0, 3)).toEqual([
      { start: 0, end: 1 },
      { start: 1, end: 2 },
      { start: 2, end: 3 },
    ]);
    expect(s.at(-1)?.end).toBe(1000);
    for (let j = 1; j < s.length; j++) expect(s[j].start).toBe(s[j - 1].end);
  });
});

describe('stratifiedOrder', () => {
  it('is a permutation that visits every stratum once per round', () => {
    const strata = makeStrata(50, 7);
    const order = stratifiedOrder(strata, lcg(1));
    expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    const firstRound = order
      .slice(0, 7)
      .map((i) => strata.findIndex((s) => i >= s.start && i < s.end));
    expect(new Set(firstRound).size).toBe(7);
  });
});

describe('stratifiedSum', () => {
  const T = 1000;
  // A curve like L_t: large at small t, small elsewhere.
  const values = Float64Array.from({ length: T }, (_, i) => 50 / (1 + i) + 0.01 * Math.sin(i));
  const exact = values.reduce((a, b) => a + b, 0);
  const strata = makeStrata(T, 20, 'log');

  it('is exact with zero error once every index is known', () => {
    const r = stratifiedSum(strata, values, new Array<boolean>(T).fill(true));
    expect(r.sum).toBeCloseTo(exact, 9);
    expect(r.standardError).toBe(0);
    expect(r.evaluated).toBe(T);
  });

  it('says NaN until every stratum has two points, then covers the truth at the stated error', () => {
    const order = stratifiedOrder(strata, lcg(5));
    const known = new Array<boolean>(T).fill(false);
    for (const i of order.slice(0, strata.length)) known[i] = true;
    expect(Number.isNaN(stratifiedSum(strata, values, known).standardError)).toBe(true);
    // Over many random orders, the truth is within 3 standard errors nearly always.
    let covered = 0;
    const trials = 200;
    for (let k = 0; k < trials; k++) {
      const o = stratifiedOrder(strata, lcg(100 + k));
      const kn = new Array<boolean>(T).fill(false);
      for (const i of o.slice(0, 120)) kn[i] = true;
      const r = stratifiedSum(strata, values, kn);
      if (Math.abs(r.sum - exact) <= 3 * r.standardError) covered++;
    }
    expect(covered / trials).toBeGreaterThan(0.9);
  });

  it('is NaN while a stratum has no evaluated index', () => {
    expect(Number.isNaN(stratifiedSum(strata, values, new Array<boolean>(T).fill(false)).sum)).toBe(
      true,
    );
  });
});
