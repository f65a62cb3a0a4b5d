// Pure helpers of the Likelihood view: the running estimate of the ELBO from the t evaluated so
// far (stratified, src/diffusion/stratified.ts), the chart series and the ELBO weights w_t of
// both schedules. No tfjs: the main thread computes these from the worker's numbers.
import { makeSchedule } from '../diffusion/schedule';
import { stratifiedSum, type Stratum } from '../diffusion/stratified';
import { vlbWeight, type VlbVariance } from '../diffusion/vlb';

export interface LikelihoodEstimate {
  /** Bits/dim of the whole bound (L_T included); NaN until every stratum has a term. */
  bitsPerDim: number;
  /** Standard error from the t not yet evaluated; 0 when all are; NaN before it can be told. */
  standardError: number;
  evaluated: number;
  total: number;
}

/** Estimate from per-index terms (bits/dim, null where not evaluated) plus the prior term. */
export function estimateBound(
  strata: readonly Stratum[],
  terms: readonly (number | null)[],
  prior: number,
): LikelihoodEstimate {
  const known = terms.map((v) => v !== null);
  const values = terms.map((v) => v ?? 0);
  const s = stratifiedSum([...strata], values, known);
  return {
    bitsPerDim: s.sum + prior,
    standardError: s.standardError,
    evaluated: s.evaluated,
    total: s.total,
  };
}

/** Mean over images of each index's terms (null while the index is not evaluated). */
export function meanOverImages(terms: readonly (number[] | null)[]): (number | null)[] {
  return terms.map((row) => (row === null ? null : row.reduce((a, b) => a + b, 0) / row.length));
}

export interface TermPoint {
  /** The paper's t = index + 1 (the term L_{t−1}; t = 1 is L_0). */
  t: number;
  mean: number;
  chosen: number;
}

export function termPoints(terms: readonly (number[] | null)[]): TermPoint[] {
  const out: TermPoint[] = [];
  terms.forEach((row, i) => {
    if (row === null) return;
    out.push({ t: i + 1, mean: row.reduce((a, b) => a + b, 0) / row.length, chosen: row[0] });
  });
  return out;
}

/** Cumulative Σ_{s ≤ t} of the mean terms, for a complete run (null before). */
export function cumulative(
  terms: readonly (number[] | null)[],
): { t: number; sum: number }[] | null {
  if (terms.some((r) => r === null)) return null;
  let sum = 0;
  return meanOverImages(terms).map((v, i) => ({ t: i + 1, sum: (sum += v ?? 0) }));
}

export interface WeightPoint {
  t: number;
  linear: number;
  cosine: number;
}

/**
 * w_t = β_t²/(2σ_t² α_t (1 − ᾱ_t)) for t = 2..T (Ho et al. 2020, eq. 12), both schedules at this
 * T, at most `maxPoints` points, log-spaced in t so the small t stay visible on a log axis.
 */
export function weightPoints(
  T: number,
  variance: VlbVariance,
  linearScaled: boolean,
  maxPoints = 200,
): WeightPoint[] {
  const lin = makeSchedule({ kind: 'linear', T, scaled: linearScaled && T > 20 });
  const cos = makeSchedule({ kind: 'cosine', T });
  const idx = new Set<number>();
  for (let k = 0; k < maxPoints; k++) {
    idx.add(Math.min(T - 1, Math.max(1, Math.round((T - 1) ** (k / (maxPoints - 1))))));
  }
  return [...idx]
    .sort((a, b) => a - b)
    .map((i) => ({
      t: i + 1,
      linear: vlbWeight(lin, i, variance),
      cosine: vlbWeight(cos, i, variance),
    }));
}
