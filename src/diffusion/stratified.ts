// A stratified estimate of a sum over timesteps, Σ_{i=0}^{T−1} L_i, from the terms evaluated so
// far: the browser refines the ELBO a few t at a time instead of paying T network passes first.
// Strata are contiguous blocks of t; each contributes |S|·mean, and its variance
// |S|²·s²/n·(1 − n/|S|) (sampling without replacement; Cochran 1977, Sampling Techniques, 5.3).

export interface Stratum {
  /** First index and one past the last. */
  start: number;
  end: number;
}

/**
 * About K contiguous strata covering 0..T−1. 'linear': sizes differ by at most one. 'log': bounds at
 * T^(j/K), so the first indices (where the ELBO's terms are largest and change fastest) get strata
 * of one or two and are evaluated exactly within the first rounds.
 */
export function makeStrata(T: number, K: number, spacing: 'linear' | 'log' = 'linear'): Stratum[] {
  if (!Number.isInteger(T) || T < 1)
    throw new RangeError(`T must be a positive integer (got ${T})`);
  const k = Math.max(1, Math.min(T, Math.floor(K)));
  const bounds = new Set<number>([0, T]);
  for (let j = 1; j < k; j++) {
    bounds.add(spacing === 'log' ? Math.round(T ** (j / k)) : Math.floor((j * T) / k));
  }
  const sorted = [...bounds].sort((a, b) => a - b);
  return sorted.slice(1).map((end, j) => ({ start: sorted[j], end }));
}

/**
 * An evaluation order: round r takes one not-yet-chosen index from every stratum (uniformly, by
 * `random` in [0, 1)), so after r rounds each stratum has min(r, size) indices. Covers all T.
 */
export function stratifiedOrder(strata: Stratum[], random: () => number): number[] {
  const pools = strata.map(({ start, end }) => {
    const p = Array.from({ length: end - start }, (_, j) => start + j);
    for (let j = p.length - 1; j > 0; j--) {
      const r = Math.floor(random() * (j + 1));
      [p[j], p[r]] = [p[r], p[j]];
    }
    return p;
  });
  const out: number[] = [];
  for (let round = 0; out.length < strata.reduce((s, x) => s + x.end - x.start, 0); round++) {
    for (const p of pools) if (round < p.length) out.push(p[round]);
  }
  return out;
}

export interface StratifiedEstimate {
  /** Estimate of the sum over all indices. */
  sum: number;
  /** Its standard error from the within-stratum spread; 0 once every index is evaluated; NaN while
   * a stratum has fewer than two evaluated indices (no spread to measure yet). */
  standardError: number;
  evaluated: number;
  total: number;
}

/** Estimates Σ values[i] over all i from the entries evaluated so far (`known[i]`). */
export function stratifiedSum(
  strata: Stratum[],
  values: ArrayLike<number>,
  known: ArrayLike<boolean>,
): StratifiedEstimate {
  let sum = 0;
  let variance = 0;
  let evaluated = 0;
  let total = 0;
  for (const { start, end } of strata) {
    const size = end - start;
    total += size;
    let n = 0;
    let mean = 0;
    let m2 = 0;
    for (let i = start; i < end; i++) {
      if (!known[i]) continue;
      n++;
      const d = values[i] - mean; // Welford
      mean += d / n;
      m2 += d * (values[i] - mean);
    }
    evaluated += n;
    if (n === 0) {
      sum = Number.NaN;
      variance = Number.NaN;
      continue;
    }
    sum += size * mean;
    if (n === size) continue;
    variance += n < 2 ? Number.NaN : (size * size * (m2 / (n - 1)) * (1 - n / size)) / n;
  }
  return { sum, standardError: Math.sqrt(variance), evaluated, total };
}
