// The comparison's sides stay within range whoever sets them, and the request follows each
// sampler's own settings (SAMPLER_CHOICES) with what the sides share taken from the view.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SIDES, stepsOf, validSide } from './comparisonStore';
import { comparisonRequest } from './comparisonActions';
import { DEFAULT_SAMPLING } from './samplingStore';

describe('comparison sides', () => {
  it('clamps steps and η, and keeps the sampler when it is unknown', () => {
    const fallback = DEFAULT_SIDES[1];
    expect(validSide({ steps: 5000, eta: -1 }, fallback)).toEqual({
      ...fallback,
      steps: 1000,
      eta: 0,
    });
    expect(validSide({ steps: 2.6, eta: Number.NaN }, fallback)).toEqual({ ...fallback, steps: 3 });
    const unknown = { sampler: 'magic' } as unknown as Parameters<typeof validSide>[0];
    expect(validSide(unknown, fallback).sampler).toBe('ddim');
  });

  it('runs all T steps for DDPM and at most T for DDIM', () => {
    expect(stepsOf({ ...DEFAULT_SIDES[0], steps: 7 }, 100)).toBe(100);
    expect(stepsOf({ ...DEFAULT_SIDES[1], steps: 250 }, 100)).toBe(100);
    expect(stepsOf({ ...DEFAULT_SIDES[1], steps: 25 }, 100)).toBe(25);
  });

  it('builds one request: shared class, seed, s and n; per-side sampler settings', () => {
    const settings = { ...DEFAULT_SAMPLING, classIndex: 7, n: 3, seed: 42, guidanceScale: 2 };
    const req = comparisonRequest(
      [
        { sampler: 'ddpm', steps: 10, eta: 0.3, variance: 'betaTilde' },
        { sampler: 'ddim', steps: 500, eta: 0.3, variance: 'betaTilde' },
      ],
      settings,
      { numClasses: 10, T: 200 },
    );
    expect(req).toEqual({
      n: 3,
      classes: [7, 7, 7],
      seed: 42,
      guidanceScale: 2,
      clipX0: true,
      sides: [
        { sampler: 'ddpm', steps: undefined, eta: undefined, variance: 'betaTilde' },
        { sampler: 'ddim', steps: 200, eta: 0.3, variance: undefined },
      ],
    });
    // Unconditional: no classes (an unconditional model, or the class select on "unconditional").
    expect(
      comparisonRequest(DEFAULT_SIDES, settings, { numClasses: 0, T: 200 }).classes,
    ).toBeNull();
  });
});
