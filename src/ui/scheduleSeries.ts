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
  /** One line on what to look for, with numbers from the schedules shown (any T). */
  explain(linear: Schedule, cosine: Schedule): string;
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
    explain: (linear, cosine) =>
      `The variance of the fresh noise mixed in at step t: linear from ${sig(linear.betas[0])} to ${sig(linear.betas[linear.T - 1])}; cosine keeps it tiny for a long time and lets it shoot up at the very end, to ${sig(cosine.betas[cosine.T - 1])} (clipped at 0.999).`,
  },
  {
    key: 'alphaBar',
    title: 'ᾱ_t, the fraction of signal variance left',
    tex: String.raw`\bar\alpha_t = \prod_{s=0}^{t} (1-\beta_s)`,
    values: (s) => s.alphaBars,
    explain: (linear, cosine) => {
      const lin = firstBelow(linear.alphaBars, 0.01);
      const cos = firstBelow(cosine.alphaBars, 0.01);
      const where = (t: number | null, s: Schedule) =>
        t === null
          ? `never falls below 0.01 (it ends at ${sig(s.alphaBars[s.T - 1])})`
          : `is below 0.01 from t = ${t} on (${Math.round((100 * t) / (s.T - 1))}% of the chain)`;
      return `Linear ${where(lin, linear)}; cosine ${where(cos, cosine)}. Steps after that see almost pure noise. Cosine falls smoothly through the whole chain, nearly linearly in the middle, as Nichol & Dhariwal 2021 designed it (Sec. 3.2, Fig. 5).`;
    },
  },
  {
    key: 'sqrtAlphaBar',
    title: '√ᾱ_t, the weight of x₀ in x_t',
    tex: String.raw`\sqrt{\bar\alpha_t}`,
    values: (s) => s.sqrtAlphaBars,
    explain: (linear, cosine) => {
      const half = (s: Schedule) => firstBelow(s.sqrtAlphaBars, 0.5);
      const at = (t: number | null) => (t === null ? 'never' : `at t = ${t}`);
      return `How much of the original image is still in x_t; it halves ${at(half(linear))} (linear) and ${at(half(cosine))} (cosine) of ${linear.T - 1}.`;
    },
  },
  {
    key: 'sqrtOneMinusAlphaBar',
    title: '√(1−ᾱ_t), the weight of ε in x_t',
    tex: String.raw`\sqrt{1-\bar\alpha_t}`,
    values: (s) => s.sqrtOneMinusAlphaBars,
    explain: () =>
      'How much noise x_t carries. The two weights are the sides of a right triangle: their squares add to 1 at every t.',
  },
  {
    key: 'logSnr',
    title: 'log-SNR, log(ᾱ_t / (1−ᾱ_t))',
    tex: String.raw`\log \mathrm{SNR}(t) = \log\frac{\bar\alpha_t}{1-\bar\alpha_t}`,
    values: (s) => s.logSnr,
    explain: (linear, cosine) =>
      `Signal-to-noise ratio on a log scale, from ${sig(linear.logSnr[0])} to ${sig(linear.logSnr[linear.T - 1])} (linear) and ${sig(cosine.logSnr[0])} to ${sig(cosine.logSnr[cosine.T - 1])} (cosine). Under cosine it is about −2·log tan(((t+1)/T + s)/(1+s)·π/2): close to a straight line only in the middle (${[0.2, 0.8].map((q) => snrAt(cosine, Math.round(q * cosine.T))).join(', ')}) and steep at both ends (${[0, cosine.T - 1].map((t) => snrAt(cosine, t)).join(', ')}). Nichol & Dhariwal 2021 made ᾱ_t, not log-SNR, fall linearly in the middle (Sec. 3.2; their Fig. 5 plots ᾱ_t).`,
  },
];

/** log-SNR at t with its sign, one decimal: "+2.2 at t = 200". */
function snrAt(s: Schedule, t: number): string {
  const v = s.logSnr[t];
  return `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(1)} at t = ${t}`;
}

/** Three significant digits, for numbers in captions. */
function sig(v: number): string {
  return Number(v.toPrecision(3)).toString();
}

/** The first t whose value is below the threshold, or null if none is. */
export function firstBelow(values: ArrayLike<number>, threshold: number): number | null {
  for (let t = 0; t < values.length; t++) if (values[t] < threshold) return t;
  return null;
}

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
