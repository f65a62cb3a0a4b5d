import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as api from './index';

describe('public API', () => {
  it('re-exports the core functions', () => {
    for (const name of [
      'makeSchedule',
      'scheduleFromBetas',
      'qSample',
      'qStep',
      'predictX0FromEps',
      'posteriorMean',
      'ddpmStep',
      'ddpmSigma',
      'ddimTimesteps',
      'respacedSchedule',
      'ddimSigma',
      'ddimCoefficients',
      'ddimStep',
      'guidedEps',
    ]) {
      expect(typeof (api as Record<string, unknown>)[name], name).toBe('function');
    }
  });

  it('schedule.ts and respace.ts stay free of tfjs (the CLI and UI import them)', () => {
    for (const file of ['./schedule.ts', './respace.ts']) {
      const src = readFileSync(new URL(file, import.meta.url), 'utf8');
      expect(src, file).not.toMatch(/@tensorflow/);
      expect(src, file).not.toMatch(/from '\.\/(forward|posterior|samplers|coefficients|index)'/);
    }
  });
});
