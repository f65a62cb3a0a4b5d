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
    tex: String.raw`\bar\alpha_t = \prod_{s=0}^{t} (1-\beta_s)`,
    values: (s) => s.alphaBars,
    explain:
      'Linear (T = 1000) is below 0.01 from t = 673 on, so the last third of the steps only see noise; cosine falls smoothly through the whole chain, nearly linearly in the middle, as Nichol & Dhariwal 2021 designed it (Sec. 3.2, Fig. 5).',
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
      'Signal-to-noise ratio on a log scale. Under cosine it is about −2·log tan(((t+1)/T + s)/(1+s)·π/2): close to a straight line only in the middle (T = 1000: +2.2 at t = 200, −2.3 at t = 800) and steep at both ends (+10.1 at t = 0, −19.8 at t = 999, where β is clipped). Nichol & Dhariwal 2021 made ᾱ_t, not log-SNR, fall linearly in the middle (Sec. 3.2; their Fig. 5 plots ᾱ_t).',
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
