import { describe, expect, it } from 'vitest';
import { makeStrata } from '../diffusion/stratified';
import { makeSchedule } from '../diffusion/schedule';
import { vlbWeight } from '../diffusion/vlb';
import {
  cumulative,
  estimateBound,
  meanOverImages,
  termPoints,
  weightPoints,
} from './likelihoodFormat';

describe('likelihoodFormat', () => {
  const strata = makeStrata(6, 3, 'linear');
  const terms = [[1, 3], [0.5, 0.5], null, [0.2, 0.4], [0.1, 0.1], [0.05, 0.15]];

  it('averages over images and keeps unevaluated t as null', () => {
    const m = meanOverImages(terms);
    expect(m[2]).toBeNull();
    [2, 0.5, 0.3, 0.1, 0.1].forEach((v, k) => expect(m[[0, 1, 3, 4, 5][k]]).toBeCloseTo(v, 12));
    expect(termPoints(terms)).toEqual([
      { t: 1, mean: 2, chosen: 1 },
      { t: 2, mean: 0.5, chosen: 0.5 },
      { t: 4, mean: 0.30000000000000004, chosen: 0.2 },
      { t: 5, mean: 0.1, chosen: 0.1 },
      { t: 6, mean: 0.1, chosen: 0.05 },
    ]);
    expect(cumulative(terms)).toBeNull();
  });

  it('estimates the missing t from its stratum and is exact when complete', () => {
    const means = meanOverImages(terms);
    const e = estimateBound(strata, means, 0.01);
    // strata {0,1}, {2,3}, {4,5}: 2.5 + 2·0.3 + 0.2 + prior
    expect(e.bitsPerDim).toBeCloseTo(2.5 + 0.6 + 0.2 + 0.01, 12);
    expect(e.evaluated).toBe(5);
    const full = estimateBound(strata, [2, 0.5, 0.7, 0.3, 0.1, 0.1], 0);
    expect(full.bitsPerDim).toBeCloseTo(3.7, 12);
    expect(full.standardError).toBe(0);
    const cum = cumulative(terms.map((r) => r ?? [0.7, 0.7]));
    expect(cum?.at(-1)?.sum).toBeCloseTo(3.7, 12);
  });

  it('gives the eq. 12 weights of both schedules, log-spaced from t = 2', () => {
    const pts = weightPoints(1000, 'betaTilde', false, 50);
    expect(pts[0].t).toBe(2);
    expect(pts.at(-1)?.t).toBe(1000);
    const lin = makeSchedule({ kind: 'linear', T: 1000 });
    const p = pts.find((x) => x.t === 2);
    expect(p?.linear).toBeCloseTo(vlbWeight(lin, 1, 'betaTilde'), 12);
    expect(new Set(pts.map((x) => x.t)).size).toBe(pts.length);
  });
});
