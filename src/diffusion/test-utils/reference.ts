// Test helpers: the float64 reference values and closeness checks. Node-only.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '../../..');
/**
 * A fixture inside the repository (see README.md here for where the values came from), so the
 * tests need nothing outside a clone.
 */
export const referencePath = path.resolve(here, 'reference-values.json');

export type ReferenceValues = Record<string, unknown>;

let cached: ReferenceValues | undefined;

/** Loads values.json; throws (so the calling test FAILS) when it is missing or malformed. */
export function loadReference(file = referencePath): ReferenceValues {
  if (file === referencePath && cached) return cached;
  if (!existsSync(file)) {
    throw new Error(
      `reference values missing: expected ${file} (src/diffusion/test-utils/reference-values.json ` +
        `in the repository ${repoRoot})`,
    );
  }
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`reference values at ${file} are not a JSON object`);
  }
  if (file === referencePath) cached = parsed as ReferenceValues;
  return parsed as ReferenceValues;
}

export const REL_TOL = 1e-9;
export const ABS_TOL = 1e-12;

/** |actual − expected| ≤ max(rel·|expected|, abs). */
export function isClose(actual: number, expected: number, rel = REL_TOL, abs = ABS_TOL): boolean {
  return Math.abs(actual - expected) <= Math.max(rel * Math.abs(expected), abs);
}

/** Throws a descriptive error unless actual ≈ expected. */
export function expectClose(
  actual: number,
  expected: number,
  what: string,
  rel = REL_TOL,
  abs = ABS_TOL,
): void {
  if (!isClose(actual, expected, rel, abs)) {
    throw new Error(
      `${what}: got ${actual}, expected ${expected} (diff ${Math.abs(actual - expected)})`,
    );
  }
}

/** Reference field name in values.json → Schedule field. */
export const REFERENCE_FIELDS: Record<string, string> = {
  beta: 'betas',
  betas: 'betas',
  alpha: 'alphas',
  alphas: 'alphas',
  alphaBar: 'alphaBars',
  alphaBars: 'alphaBars',
  alphaBarPrev: 'alphaBarsPrev',
  alphaBarsPrev: 'alphaBarsPrev',
  sqrtAlphaBar: 'sqrtAlphaBars',
  sqrtOneMinusAlphaBar: 'sqrtOneMinusAlphaBars',
  snr: 'snr',
  logSnr: 'logSnr',
  posteriorVariance: 'posteriorVariance',
  posteriorLogVarianceClipped: 'posteriorLogVarianceClipped',
  posteriorMeanCoef1: 'posteriorMeanCoef1',
  posteriorMeanCoef2: 'posteriorMeanCoef2',
};
