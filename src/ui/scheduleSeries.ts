// Chart data for the schedule plots: both schedules side by side, thinned to a readable number of
// points. Thinning keeps exact values (no interpolation), always keeps the first, the last and the
// current t, so the hover tooltip and the marker show true schedule values.
import type { Schedule } from '../diffusion/schedule';

export type SeriesKey = 'beta' | 'alphaBar' | 'sqrtAlphaBar' | 'sqrtOneMinusAlphaBar' | 'logSnr';

export interface SeriesSpec {
  key: SeriesKey;
  title: string;
  tex: string;
  values(s: Schedule): Float64Array;
  explain: string;
  /** Plot on a log axis (β spans four orders of magnitude under the cosine schedule). */
  logScale?: boolean;
}

export const SERIES: readonly SeriesSpec[] = [
  {
    key: 'beta',
    title: 'β_t, the noise added at step t (log axis)',
    tex: String.raw`\beta_t`,
    values: (s) => s.betas,
    logScale: true,
    explain:
      'The variance of the fresh noise mixed in at step t. The cosine schedule keeps it tiny for a long time and lets it shoot up at the very end (clipped at 0.999).',
  },
  {
    key: 'alphaBar',
    title: 'ᾱ_t, the fraction of signal variance left',
    tex: String.raw`\bar\alpha_t = \prod_{s \le t} (1-\beta_s)`,
    values: (s) => s.alphaBars,
    explain:
      'Linear reaches almost zero by t ≈ 600 of 1000, so the last steps only see noise; cosine falls smoothly through the whole chain.',
  },
  {
    key: 'sqrtAlphaBar',
    title: '√ᾱ_t, the weight of x₀ in x_t',
    tex: String.raw`\sqrt{\bar\alpha_t}`,
    values: (s) => s.sqrtAlphaBars,
    explain: 'How much of the original image is still in x_t.',
  },
  {
    key: 'sqrtOneMinusAlphaBar',
    title: '√(1−ᾱ_t), the weight of ε in x_t',
    tex: String.raw`\sqrt{1-\bar\alpha_t}`,
    values: (s) => s.sqrtOneMinusAlphaBars,
    explain: 'How much noise x_t carries. The two weights are the sides of a right triangle.',
  },
  {
    key: 'logSnr',
    title: 'log-SNR, log(ᾱ_t / (1−ᾱ_t))',
    tex: String.raw`\log \mathrm{SNR}(t) = \log\frac{\bar\alpha_t}{1-\bar\alpha_t}`,
    values: (s) => s.logSnr,
    explain:
      'Signal-to-noise ratio on a log scale. Cosine makes it fall almost linearly in t (Nichol & Dhariwal 2021, Fig. 5): every step removes a similar amount of information.',
  },
];

export interface ChartPoint {
  t: number;
  linear: number;
  cosine: number;
}

/** Indices 0..T-1 thinned to about `maxPoints`, always including 0, T-1 and `keep`. */
export function thinnedIndices(T: number, maxPoints: number, keep: number): number[] {
  const stride = Math.max(1, Math.ceil(T / maxPoints));
  const out: number[] = [];
  for (let i = 0; i < T; i += stride) out.push(i);
  if (out[out.length - 1] !== T - 1) out.push(T - 1);
  if (keep >= 0 && keep < T && !out.includes(keep)) {
    out.push(keep);
    out.sort((a, b) => a - b);
  }
  return out;
}

export function chartPoints(
  spec: SeriesSpec,
  linear: Schedule,
  cosine: Schedule,
  indices: readonly number[],
): ChartPoint[] {
  const lin = spec.values(linear);
  const cos = spec.values(cosine);
  return indices.map((t) => ({ t, linear: lin[t], cosine: cos[t] }));
}
