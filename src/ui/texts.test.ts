// What the views state must match what the code computes (issue 9's texts): the loss is a
// per-pixel mean, one t convention (0-based) everywhere, the log-SNR and ᾱ claims carry the
// numbers the schedules give, and guidance is written ε̃ = ε_u + s(ε_c − ε_u) with s stated.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeSchedule } from '../diffusion/schedule';
import { SERIES } from './scheduleSeries';

const source = (file: string) => readFileSync(new URL(file, import.meta.url), 'utf8');
// The notes are computed from the schedules shown; these checks use T = 1000.
const explain = (key: string) =>
  SERIES.find((s) => s.key === key)?.explain(
    makeSchedule({ kind: 'linear', T: 1000 }),
    makeSchedule({ kind: 'cosine', T: 1000 }),
  ) ?? '';

describe('view texts', () => {
  it('loss labels say per-pixel mean, in the formula too', () => {
    const charts = source('./components/TrainingCharts.tsx');
    expect(charts).toContain("'(1/D)‖ε − ε_θ(x_t, t)‖², '");
    expect(charts).toContain('the mean over the D pixel values of each image and over the batch');
    // With min-SNR-γ weights every label says the loss is weighted.
    expect(charts).toContain('w_t · (1/D)‖ε − ε_θ(x_t, t)‖² with min-SNR-γ weights w_t');
    expect(charts).toContain("per-pixel mean{weighted ? ', min-SNR-weighted' : ''}");
    const view = source('./views/TrainingView.tsx');
    expect(view).toContain("<dt>loss (per-pixel mean{weighted ? ', min-SNR-weighted' : ''})</dt>");
    expect(view).toContain('(1/D)‖ε − ε<sub>θ</sub>(x<sub>t</sub>, t)‖²');
  });

  it('the cosine ᾱ formula uses the 0-based t of the table and plots: ᾱ_t = f(t+1)/f(0)', () => {
    expect(source('./views/SchedulesView.tsx')).toContain(String.raw`\frac{f(t+1)}{f(0)}`);
    // Checked against the code: index t of the table is f(t+1)/f(0) (before the β clip).
    const T = 1000;
    const f = (tau: number) => Math.cos(((tau / T + 0.008) / 1.008) * (Math.PI / 2)) ** 2;
    const cos = makeSchedule({ kind: 'cosine', T });
    for (const t of [0, 1, 500, 998]) {
      expect(cos.alphaBars[t]).toBeCloseTo(f(t + 1) / f(0), 12);
    }
    expect(source('./views/ForwardView.tsx')).toContain('noising step');
  });

  it('the log-SNR and ᾱ notes state the numbers the schedules give', () => {
    const cos = makeSchedule({ kind: 'cosine', T: 1000 });
    const lin = makeSchedule({ kind: 'linear', T: 1000 });
    const text = explain('logSnr');
    expect(text).not.toMatch(/almost linearly/);
    const say = (v: number) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(1)}`;
    for (const t of [200, 800, 0, 999]) {
      expect(text).toContain(`${say(cos.logSnr[t])} at t = ${t}`);
    }
    // Steep at both ends, near-straight in the middle: slopes per step.
    const slope = (a: number, b: number) => Math.abs((cos.logSnr[b] - cos.logSnr[a]) / (b - a));
    expect(slope(0, 100)).toBeGreaterThan(4 * slope(400, 600));
    expect(slope(900, 999)).toBeGreaterThan(4 * slope(400, 600));
    const firstBelow = lin.alphaBars.findIndex((a) => a < 0.01);
    expect(explain('alphaBar')).toContain(`below 0.01 from t = ${firstBelow} on`);
  });

  it('guidance is ε̃ = ε_u + s(ε_c − ε_u), stated beside the slider', () => {
    const sampling = source('./views/SamplingView.tsx');
    expect(sampling).toContain('ε̃ = ε_u + s(ε_c − ε_u): s = 0 unconditional, s = 1 conditional');
    expect(sampling).not.toMatch(/String\.raw`\\epsilon = \\epsilon_u/);
    expect(sampling).toContain('Clip x̂₀ to [−1, 1]');
  });
});
