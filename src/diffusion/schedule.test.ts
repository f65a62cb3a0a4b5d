import { describe, expect, it } from 'vitest';
import {
  COSINE_MAX_BETA,
  cosineBetas,
  linearBetas,
  makeSchedule,
  MAX_T,
  scheduleFromBetas,
  type Schedule,
} from './schedule';
import { expectClose } from './test-utils/reference';

const f = (t: number, T: number) => Math.cos(((t / T + 0.008) / 1.008) * (Math.PI / 2)) ** 2;

function expectArrayClose(actual: Float64Array, expected: ArrayLike<number>, what: string) {
  expect(actual.length, `${what} length`).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) expectClose(actual[i], expected[i], `${what}[${i}]`);
}

/** Every identity that must hold for any schedule, whatever its betas. */
function checkIdentities(s: Schedule) {
  let prod = 1;
  for (let i = 0; i < s.T; i++) {
    const b = s.betas[i];
    const ab = s.alphaBars[i];
    const abPrev = i === 0 ? 1 : s.alphaBars[i - 1];
    prod *= 1 - b;
    expectClose(ab, prod, `cumprod ${i}`);
    expect(s.alphaBarsPrev[i]).toBe(abPrev);
    expectClose(s.alphas[i], 1 - b, `alpha ${i}`);
    expectClose(s.sqrtAlphaBars[i] ** 2, ab, `sqrtAlphaBar ${i}`);
    expectClose(s.sqrtOneMinusAlphaBars[i] ** 2, 1 - ab, `sqrt(1-ab) ${i}`);
    expectClose(s.sqrtRecipAlphaBars[i] * s.sqrtAlphaBars[i], 1, `recip ${i}`);
    expectClose(
      s.sqrtRecipM1AlphaBars[i] * s.sqrtAlphaBars[i],
      s.sqrtOneMinusAlphaBars[i],
      `m1 ${i}`,
    );
    expectClose(s.snr[i], ab / (1 - ab), `snr ${i}`);
    expectClose(Math.exp(s.logSnr[i]), s.snr[i], `logSnr ${i}`);
    expectClose(s.posteriorVariance[i], ((1 - abPrev) / (1 - ab)) * b, `β̃ ${i}`);
    expect(s.posteriorVariance[i]).toBeLessThanOrEqual(b * (1 + 1e-12));
    expectClose(s.posteriorMeanCoef1[i], (b * Math.sqrt(abPrev)) / (1 - ab), `coef1 ${i}`);
    expectClose(s.posteriorMeanCoef2[i], ((1 - abPrev) * Math.sqrt(1 - b)) / (1 - ab), `c2 ${i}`);
    const logVar = Math.log(i === 0 ? s.posteriorVariance[1] : s.posteriorVariance[i]);
    expectClose(s.posteriorLogVarianceClipped[i], logVar, `logvar ${i}`);
  }
  expect(s.posteriorVariance[0]).toBe(0);
  expect(s.posteriorMeanCoef2[0]).toBe(0);
  expectClose(s.posteriorMeanCoef1[0], 1, 'coef1[0]', 1e-9);
}

function expectMonotone(a: Float64Array, dir: 1 | -1, what: string) {
  for (let i = 1; i < a.length; i++) {
    expect(dir * (a[i] - a[i - 1]), `${what} at ${i}`).toBeGreaterThanOrEqual(0);
  }
}

describe('linear schedule', () => {
  it('T=2 by hand: β = [1e-4, 0.02]', () => {
    const s = makeSchedule({ kind: 'linear', T: 2 });
    expect(Array.from(s.betas)).toEqual([1e-4, 0.02]);
    const a1 = 1 - 1e-4;
    const a2 = 1 - 0.02;
    expectArrayClose(s.alphaBars, [a1, a1 * a2], 'ᾱ');
    expectArrayClose(s.posteriorVariance, [0, (0.02 * (1 - a1)) / (1 - a1 * a2)], 'β̃');
    expectArrayClose(
      s.posteriorMeanCoef1,
      [1e-4 / (1 - a1), (0.02 * Math.sqrt(a1)) / (1 - a1 * a2)],
      'c1',
    );
    expectArrayClose(s.posteriorMeanCoef2, [0, ((1 - a1) * Math.sqrt(a2)) / (1 - a1 * a2)], 'c2');
    const lv = Math.log((0.02 * (1 - a1)) / (1 - a1 * a2));
    expectArrayClose(s.posteriorLogVarianceClipped, [lv, lv], 'log β̃ clipped');
    checkIdentities(s);
  });

  it('T=10 by hand: β_i = 1e-4 + i·(0.02 − 1e-4)/9', () => {
    const s = makeSchedule({ kind: 'linear', T: 10 });
    const betas = Array.from({ length: 10 }, (_, i) => 1e-4 + (i * (0.02 - 1e-4)) / 9);
    expectArrayClose(s.betas, betas, 'β');
    expect(s.betas[0]).toBe(1e-4);
    expect(s.betas[9]).toBe(0.02);
    let ab = 1;
    const abs = betas.map((b) => (ab *= 1 - b));
    expectArrayClose(s.alphaBars, abs, 'ᾱ');
    checkIdentities(s);
  });

  it('T=1000: identities, monotone β↑ ᾱ↓ snr↓, β̃ ≤ β', () => {
    const s = makeSchedule({ kind: 'linear', T: 1000 });
    checkIdentities(s);
    expectMonotone(s.betas, 1, 'β');
    expectMonotone(s.alphaBars, -1, 'ᾱ');
    expectMonotone(s.snr, -1, 'snr');
    expect(s.kind).toBe('linear');
    expect(s.scaled).toBe(false);
  });

  it('scaled: T=1000 equals unscaled, T=4000 spans 2.5e-5..0.005', () => {
    expect(makeSchedule({ kind: 'linear', T: 1000, scaled: true }).betas).toEqual(
      makeSchedule({ kind: 'linear', T: 1000 }).betas,
    );
    const s = makeSchedule({ kind: 'linear', T: 4000, scaled: true });
    expect(s.scaled).toBe(true);
    expectClose(s.betas[0], 2.5e-5, 'β_start');
    expectClose(s.betas[3999], 0.005, 'β_end');
    expectMonotone(s.betas, 1, 'β');
    // Rescaling keeps ᾱ_T roughly independent of T: compare with T=1000 at the end.
    expect(Math.abs(Math.log(s.alphaBars[3999] / 4.035829765375676e-5))).toBeLessThan(0.1);
  });

  it('scaled needs β_end = 20/T < 1', () => {
    expect(() => linearBetas(20, true)).toThrow(/T > 20/);
    expect(() => makeSchedule({ kind: 'linear', T: 10, scaled: true })).toThrow(RangeError);
    expect(makeSchedule({ kind: 'linear', T: 21, scaled: true }).betas[20]).toBeCloseTo(
      20 / 21,
      15,
    );
  });
});

describe('cosine schedule', () => {
  it('T=2 by hand (second β clipped at 0.999)', () => {
    const s = makeSchedule({ kind: 'cosine', T: 2 });
    expectClose(s.betas[0], 1 - f(1, 2) / f(0, 2), 'β_0');
    expect(s.betas[1]).toBe(COSINE_MAX_BETA);
    checkIdentities(s);
  });

  it('T=10 by hand: β_i = 1 − f(i+1)/f(i)', () => {
    const s = makeSchedule({ kind: 'cosine', T: 10 });
    const betas = Array.from({ length: 10 }, (_, i) =>
      Math.min(1 - f(i + 1, 10) / f(i, 10), 0.999),
    );
    expectArrayClose(s.betas, betas, 'β');
    checkIdentities(s);
  });

  it('T=1000: ᾱ ≈ f(t)/f(0) until β is clipped; only the last β is clipped', () => {
    const T = 1000;
    const s = makeSchedule({ kind: 'cosine', T });
    checkIdentities(s);
    const clipped = Array.from(s.betas).filter((b) => b === COSINE_MAX_BETA).length;
    expect(clipped).toBe(1);
    for (let i = 0; i < T - 1; i++) {
      expectClose(s.alphaBars[i], f(i + 1, T) / f(0, T), `ᾱ ${i}`, 1e-10);
    }
    // After the clipped step, ᾱ is the cumprod, not f(T)/f(0) ≈ 0.
    expectClose(s.alphaBars[T - 1], s.alphaBars[T - 2] * (1 - 0.999), 'ᾱ_T');
    expectMonotone(s.betas, 1, 'β');
    expectMonotone(s.alphaBars, -1, 'ᾱ');
    expectMonotone(s.logSnr, -1, 'logSnr');
  });

  it('is defined on t/T: ᾱ at the same fraction agrees across T', () => {
    const a = makeSchedule({ kind: 'cosine', T: 100 });
    const b = makeSchedule({ kind: 'cosine', T: 400 });
    for (const i of [0, 24, 49, 74])
      expectClose(a.alphaBars[i], b.alphaBars[4 * i + 3], `${i}`, 1e-10);
  });

  it('rejects scaled', () => {
    expect(() => makeSchedule({ kind: 'cosine', T: 100, scaled: true })).toThrow(
      /only to the linear/,
    );
  });
});

describe('validation', () => {
  it.each([Number.NaN, 1, 0, -5, 2.5, Infinity, MAX_T + 1])('rejects T = %s', (T) => {
    expect(() => makeSchedule({ kind: 'linear', T })).toThrow(RangeError);
    expect(() => makeSchedule({ kind: 'cosine', T })).toThrow(
      /T must be an integer in \[2, 100000\]/,
    );
    expect(() => cosineBetas(T)).toThrow(RangeError);
  });

  it('accepts T = MAX_T', () => {
    expect(makeSchedule({ kind: 'cosine', T: MAX_T }).betas.length).toBe(MAX_T);
  });

  it('rejects an unknown kind and bad betas', () => {
    expect(() => makeSchedule({ kind: 'quadratic' as 'linear', T: 10 })).toThrow(
      /unknown schedule kind/,
    );
    expect(() =>
      scheduleFromBetas(new Float64Array([0.1, 1]), { kind: 'linear', scaled: false }),
    ).toThrow(RangeError);
    expect(() => scheduleFromBetas(new Float64Array(0), { kind: 'linear', scaled: false })).toThrow(
      RangeError,
    );
  });

  it('copies the betas it is given', () => {
    const betas = new Float64Array([0.1, 0.2]);
    const s = scheduleFromBetas(betas, { kind: 'linear', scaled: false });
    betas[0] = 0.5;
    expect(s.betas[0]).toBe(0.1);
  });
});
