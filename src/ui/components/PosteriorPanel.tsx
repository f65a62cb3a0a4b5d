// The DDPM posterior at the step shown: q(x_{t−1} | x_t, x̂₀) = N(μ̃_t, β̃_t I) (Ho et al. 2020,
// eqs. 6–7) with this step's numbers, and one pixel worked through.
import { useMemo } from 'react';
import { makeSchedule } from '../../diffusion/schedule';
import type { ModelInfo, SamplingFrame } from '../../worker/api';
import { posteriorAt } from '../posteriorNumbers';
import { Tex } from './Tex';

const f = (v: number, digits = 4): string => Number(v.toPrecision(digits)).toString();

export function PosteriorPanel({ frame, model }: { frame: SamplingFrame; model: ModelInfo }) {
  const schedule = useMemo(
    () =>
      makeSchedule({
        kind: model.schedule.kind,
        T: model.schedule.T,
        scaled: model.schedule.scaled ?? false,
      }),
    [model.schedule.kind, model.schedule.T, model.schedule.scaled],
  );
  if (frame.t === null || !frame.xt || !frame.x0Pred) {
    return (
      <section className="panel" aria-label="Posterior" data-testid="posterior-panel">
        <h3>The posterior of this step</h3>
        <p className="muted">Take a step: the posterior needs x_t and the predicted x̂₀.</p>
      </section>
    );
  }
  // The run shown decides the stride: all T steps (DDPM) or the kept steps of a shorter run.
  const everyStep = frame.totalSteps === schedule.T;
  const p = posteriorAt(schedule, frame.t, {
    sampler: everyStep ? 'ddpm' : 'ddim',
    steps: frame.totalSteps,
  });
  if (!p) return null;
  // The centre pixel of the first image, worked through.
  const [, h, w, c] = frame.shape;
  const pixel = (Math.floor(h / 2) * w + Math.floor(w / 2)) * c;
  const x0 = frame.x0Pred[pixel];
  const xt = frame.xt[pixel];
  const mu = p.c1 * x0 + p.c2 * xt;
  const prev = p.tPrev < 0 ? 'x_0' : `x_{${p.tPrev}}`;
  return (
    <section className="panel" aria-label="Posterior" data-testid="posterior-panel">
      <h3>The posterior of this step (Ho et al. 2020, eqs. 6–7)</h3>
      <Tex
        expr={String.raw`q(x_{t-1}\mid x_t,\hat x_0)=\mathcal N\big(\tilde\mu_t,\ \tilde\beta_t I\big),\quad \tilde\mu_t=\frac{\sqrt{\bar\alpha_{t-1}}\,\beta_t}{1-\bar\alpha_t}\hat x_0+\frac{\sqrt{\alpha_t}(1-\bar\alpha_{t-1})}{1-\bar\alpha_t}x_t,\quad \tilde\beta_t=\frac{1-\bar\alpha_{t-1}}{1-\bar\alpha_t}\beta_t`}
        display
      />
      <div data-testid="posterior-numbers">
        <Tex
          expr={String.raw`t=${p.t}\to ${p.tPrev < 0 ? '\\text{end}' : p.tPrev}:\quad \tilde\mu = ${f(p.c1)}\,\hat x_0 + ${f(p.c2)}\,x_t,\quad \tilde\beta = ${f(p.betaTilde)}\ \ (\beta = ${f(p.beta)})`}
          display
        />
        <Tex
          expr={String.raw`\text{centre pixel of image 1: } ${f(p.c1)}\cdot(${f(x0, 3)}) + ${f(p.c2)}\cdot(${f(xt, 3)}) = ${f(mu, 3)};\ \ \text{the sampler's } ${prev} = ${f(frame.x[pixel], 3)}`}
          display
        />
      </div>
      <p className="muted">
        {everyStep
          ? 'DDPM samples x_{t−1} = μ̃ + σ_t z with σ_t² = β_t or β̃_t (the Variance control). '
          : `This run visits ${frame.totalSteps} of ${schedule.T} steps, so β here is the respaced β between kept steps. DDIM with η = 0 adds no noise and follows its own update (Song et al. 2021, eq. 12); the posterior is what DDPM would sample. `}
        Look for c₂ near 1 at large t (the step keeps x_t) and c₁ reaching 1 at the last step (it
        lands on x̂₀).
      </p>
    </section>
  );
}
