import { describe, expect, it } from 'vitest';
import { makeSchedule } from '../diffusion/schedule';
import { SERIES, firstBelow } from './scheduleSeries';

const explain = (key: string, T: number, scaled = false): string => {
  const spec = SERIES.find((s) => s.key === key);
  if (!spec) throw new Error(key);
  return spec.explain(
    makeSchedule({ kind: 'linear', T, scaled }),
    makeSchedule({ kind: 'cosine', T }),
  );
};

describe('schedule captions follow the current T', () => {
  it('finds the first t below a threshold', () => {
    expect(firstBelow([1, 0.5, 0.005, 0.001], 0.01)).toBe(2);
    expect(firstBelow([1, 0.5], 0.01)).toBeNull();
  });
  it('says where ᾱ falls below 0.01 for T = 1000, and that unscaled linear never does at T = 100', () => {
    const linear = makeSchedule({ kind: 'linear', T: 1000 });
    const t = firstBelow(linear.alphaBars, 0.01);
    // Computed independently here: ᾱ_t = ∏ (1 − β_s), β linear from 1e-4 to 0.02.
    let prod = 1;
    let expected = -1;
    for (let s = 0; s < 1000 && expected < 0; s++) {
      prod *= 1 - (1e-4 + ((0.02 - 1e-4) * s) / 999);
      if (prod < 0.01) expected = s;
    }
    expect(t).toBe(expected);
    expect(explain('alphaBar', 1000)).toContain(`from t = ${expected} on`);
    const short = explain('alphaBar', 100);
    expect(short).toContain('Linear never falls below 0.01');
    expect(short).not.toContain('1000');
    expect(explain('alphaBar', 100, true)).toMatch(/Linear is below 0\.01 from t = \d+ on/);
  });
});
