import { describe, expect, it } from 'vitest';
import { ddimTimesteps, respacedSchedule } from './respace';
import { ddimSigma } from './samplers';
import { makeSchedule } from './schedule';
import { expectClose } from './test-utils/reference';

const s = makeSchedule({ kind: 'linear', T: 1000 });

describe('ddimTimesteps: round(linspace(T−1, 0, steps)), descending', () => {
  it('1000/50 → 999, 979, 958, …, 20, 0 (numpy: np.linspace(0, 999, 50).round()[::-1])', () => {
    const ts = Array.from(ddimTimesteps(1000, 50));
    expect(ts).toHaveLength(50);
    expect(ts.slice(0, 5)).toEqual([999, 979, 958, 938, 917]);
    expect(ts.slice(-3)).toEqual([41, 20, 0]);
  });

  it('hand-checked small cases, including a half that rounds up', () => {
    expect(Array.from(ddimTimesteps(1000, 1))).toEqual([999]);
    expect(Array.from(ddimTimesteps(1000, 2))).toEqual([999, 0]);
    // 999/2 = 499.5 → 500.
    expect(Array.from(ddimTimesteps(1000, 3))).toEqual([999, 500, 0]);
    // 49·k/6 = 40.83, 32.67, 24.5, 16.33, 8.17.
    expect(Array.from(ddimTimesteps(50, 7))).toEqual([49, 41, 33, 25, 16, 8, 0]);
    expect(Array.from(ddimTimesteps(10, 4))).toEqual([9, 6, 3, 0]);
    expect(Array.from(ddimTimesteps(5, 5))).toEqual([4, 3, 2, 1, 0]);
    expect(Array.from(ddimTimesteps(1, 1))).toEqual([0]);
  });

  it.each([1000, 50])(
    'T = %i: for every steps in 1..T, starts at T−1, ends at 0, strictly decreasing, within ½ of the exact linspace',
    (T) => {
      for (let steps = 1; steps <= T; steps++) {
        const ts = ddimTimesteps(T, steps);
        expect(ts.length).toBe(steps);
        if (ts[0] !== T - 1) throw new Error(`steps ${steps}: starts at ${ts[0]}, not ${T - 1}`);
        if (steps > 1 && ts[steps - 1] !== 0) {
          throw new Error(`steps ${steps}: ends at ${ts[steps - 1]}, not 0`);
        }
        for (let i = 0; i < steps; i++) {
          const exact = steps === 1 ? T - 1 : ((T - 1) * (steps - 1 - i)) / (steps - 1);
          if (Math.abs(ts[i] - exact) > 0.5) {
            throw new Error(`steps ${steps}, i ${i}: ${ts[i]} is not round(${exact})`);
          }
          if (i > 0 && !(ts[i] < ts[i - 1])) {
            throw new Error(`steps ${steps}: not strictly decreasing at i ${i}`);
          }
        }
      }
    },
  );

  it('501 and 500 steps of 1000 both start at the noisiest step (the old spacing started 501 at t = 500)', () => {
    expect(ddimTimesteps(1000, 501)[0]).toBe(999);
    expect(ddimTimesteps(1000, 500)[0]).toBe(999);
    expect(ddimTimesteps(1000, 334)[0]).toBe(999);
    expect(ddimTimesteps(1000, 333)[0]).toBe(999);
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
