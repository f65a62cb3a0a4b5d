import { describe, expect, it } from 'vitest';
import { ddimTimesteps, respacedSchedule } from './respace';
import { ddimSigma } from './samplers';
import { makeSchedule } from './schedule';
import { expectClose } from './test-utils/reference';

const s = makeSchedule({ kind: 'linear', T: 1000 });

describe('ddimTimesteps: t_i = i·⌊T/steps⌋, descending', () => {
  it('1000/50 → 980, 960, …, 0 (improved-diffusion ddim50)', () => {
    const ts = Array.from(ddimTimesteps(1000, 50));
    expect(ts).toHaveLength(50);
    expect(ts[0]).toBe(980);
    expect(ts[49]).toBe(0);
    ts.forEach((t, i) => expect(t).toBe(980 - 20 * i));
  });

  it('edge cases', () => {
    expect(Array.from(ddimTimesteps(1000, 1))).toEqual([0]);
    expect(Array.from(ddimTimesteps(1000, 3))).toEqual([666, 333, 0]);
    expect(Array.from(ddimTimesteps(10, 7))).toEqual([6, 5, 4, 3, 2, 1, 0]);
    expect(Array.from(ddimTimesteps(5, 5))).toEqual([4, 3, 2, 1, 0]);
    expect(ddimTimesteps(1000, 1000)[0]).toBe(999);
  });

  it.each([0, -1, 1001, 2.5, Number.NaN])('rejects steps = %s', (steps) => {
    expect(() => ddimTimesteps(1000, steps)).toThrow(/steps must be an integer in \[1, 1000\]/);
  });
});

describe('respacedSchedule (improved-diffusion respace.py)', () => {
  it('keeping every step reproduces the schedule', () => {
    const r = respacedSchedule(s, ddimTimesteps(1000, 1000));
    expect(r.T).toBe(1000);
    for (let i = 0; i < 1000; i++) {
      expectClose(r.betas[i], s.betas[i], `β ${i}`, 1e-9, 1e-15);
      expectClose(r.alphaBars[i], s.alphaBars[i], `ᾱ ${i}`, 1e-12);
      expectClose(r.posteriorVariance[i], s.posteriorVariance[i], `β̃ ${i}`, 1e-9, 1e-15);
    }
  });

  it('ᾱ at kept steps; β̃ equals DDIM σ² at η = 1 between kept steps', () => {
    const kept = ddimTimesteps(1000, 50);
    const r = respacedSchedule(s, kept);
    expect(r.T).toBe(50);
    expect(r.kind).toBe('linear');
    expect(Array.from(r.timesteps)).toEqual(Array.from(kept).reverse());
    for (let i = 0; i < 50; i++) {
      expectClose(r.alphaBars[i], s.alphaBars[r.timesteps[i]], `ᾱ ${i}`, 1e-12);
      expectClose(r.betas[i], 1 - r.alphaBars[i] / r.alphaBarsPrev[i], `β ${i}`, 1e-9);
      if (i > 0) {
        const sigma = ddimSigma(s.alphaBars[r.timesteps[i]], s.alphaBars[r.timesteps[i - 1]], 1);
        expectClose(r.posteriorVariance[i], sigma * sigma, `σ² ${i}`);
      }
    }
  });

  it('accepts any order, a single step, and the cosine schedule', () => {
    const c = makeSchedule({ kind: 'cosine', T: 100 });
    const r = respacedSchedule(c, [99, 0, 50]);
    expect(Array.from(r.timesteps)).toEqual([0, 50, 99]);
    expectClose(r.alphaBars[2], c.alphaBars[99], 'ᾱ', 1e-12);
    const one = respacedSchedule(c, [42]);
    expect(one.T).toBe(1);
    expectClose(one.alphaBars[0], c.alphaBars[42], 'ᾱ', 1e-12);
    expect(Number.isFinite(one.posteriorLogVarianceClipped[0])).toBe(true);
  });

  it('rejects bad kept lists', () => {
    expect(() => respacedSchedule(s, [])).toThrow(/at least one/);
    expect(() => respacedSchedule(s, [0, 1000])).toThrow(/\[0, 999\]/);
    expect(() => respacedSchedule(s, [2 ** 32])).toThrow(RangeError);
    expect(() => respacedSchedule(s, [1.5])).toThrow(RangeError);
    expect(() => respacedSchedule(s, [3, 3])).toThrow(/twice/);
  });
});
