import { describe, expect, it } from 'vitest';
import { lossWeights, minSnrSummary, minSnrWeights, MIN_SNR_GAMMA } from './lossWeighting';
import { makeSchedule } from './schedule';

describe('min-SNR-γ loss weights (Hang et al. 2023)', () => {
  const schedule = makeSchedule({ kind: 'linear', T: 1000 });

  it('is γ/SNR where SNR > γ and 1 where SNR ≤ γ', () => {
    const w = minSnrWeights(schedule);
    // t = 1 (index 0): ᾱ = 1 − 1e-4, SNR = 9999, so w = 5/9999.
    expect(w[0]).toBeCloseTo(5 / 9999, 12);
    // The last step is nearly pure noise (ᾱ_T ≈ 4e-5): weight 1.
    expect(w[999]).toBe(1);
    for (let i = 0; i < 1000; i++) {
      const snr = schedule.alphaBars[i] / (1 - schedule.alphaBars[i]);
      expect(w[i]).toBeCloseTo(snr > MIN_SNR_GAMMA ? MIN_SNR_GAMMA / snr : 1, 12);
    }
  });

  it('rises monotonically from near 0 to 1 (SNR falls with t)', () => {
    const w = minSnrWeights(makeSchedule({ kind: 'cosine', T: 1000 }));
    for (let i = 1; i < w.length; i++) expect(w[i]).toBeGreaterThanOrEqual(w[i - 1]);
    expect(w[w.length - 1]).toBe(1);
  });

  it('uniform has no weights; bad γ and unknown weightings are refused', () => {
    expect(lossWeights(schedule, 'uniform')).toBeNull();
    expect(lossWeights(schedule, 'min-snr')).toEqual(minSnrWeights(schedule));
    expect(() => minSnrWeights(schedule, 0)).toThrow(/γ/);
    expect(() => lossWeights(schedule, 'v' as never)).toThrow(/unknown/);
  });

  it('summarises where the weight reaches 1 and its value below, from the schedule alone', () => {
    const sum = minSnrSummary(schedule, [0, 10, 100, 999]);
    const ab = schedule.alphaBars;
    // The first t whose SNR = ᾱ/(1 − ᾱ) ≤ 5, i.e. ᾱ ≤ 5/6, found independently.
    let first = 0;
    while (ab[first] / (1 - ab[first]) > 5) first++;
    expect(sum.fullWeightFrom).toBe(first);
    expect(first).toBeGreaterThan(100);
    expect(first).toBeLessThan(200);
    // t = 999 weighs 1 already, so only the points below `first` are listed.
    expect(sum.points.map((p) => p.t)).toEqual([0, 10, 100]);
    for (const p of sum.points) {
      const snr = ab[p.t] / (1 - ab[p.t]);
      expect(p.snr).toBeCloseTo(snr, 9);
      expect(p.weight).toBeCloseTo(5 / snr, 12);
    }
  });
});
