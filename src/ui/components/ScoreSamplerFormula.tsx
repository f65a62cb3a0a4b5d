// The update of a score-based sampler (Song et al. 2021) with this step's numbers, the paper it
// comes from and one line on what to look for. The ε-model is read as a score model,
// s_θ = −ε̃/√(1−ᾱ_t); ε̃ is the (guided) prediction, so the guidance slider acts on every sampler.
import type { SamplingFrame } from '../../worker/api';
import type { ScoreSamplerName } from '../validation';
import { Tex } from './Tex';

const f = (v: number, digits = 4): string => Number(v.toPrecision(digits)).toString();

/** The options of the Sampler select for the score-based samplers. */
export const SCORE_SAMPLER_LABELS: Readonly<Record<ScoreSamplerName, string>> = {
  'euler-maruyama': 'Reverse SDE, Euler–Maruyama (Song et al. 2021)',
  'pf-ode': 'Probability-flow ODE, Heun (Song et al. 2021)',
  pc: 'Predictor–corrector (Song et al. 2021)',
  'annealed-langevin': 'Annealed Langevin, NCSN (Song & Ermon 2019)',
};

/** NFE of K levels, as the engine counts them (scorePlan.ts). */
export function scoreNfeText(sampler: ScoreSamplerName): string {
  switch (sampler) {
    case 'pf-ode':
      return 'NFE = 2K − 1 (two evaluations per Heun step, one at the last)';
    case 'pc':
      return 'NFE = 2K (corrector and predictor each evaluate the network)';
    case 'euler-maruyama':
      return 'NFE = K';
    case 'annealed-langevin':
      return 'NFE = K (one Langevin step per level)';
  }
}

const WHAT: Readonly<Record<ScoreSamplerName, string>> = {
  'euler-maruyama':
    'Look for: fresh noise at every step, like DDPM; with few steps (large Δτ) the samples stay noisy or blurred.',
  'pf-ode':
    'Look for: no noise is added — the same x_T always gives the same image, and 20–50 evaluations already give clean digits, like DDIM (DDIM is this ODE’s Euler step).',
  pc: 'Look for: the corrector’s Langevin step sharpens x_t at the same noise level before the predictor moves on; it costs a second evaluation per step.',
  'annealed-langevin':
    'Look for: with one Langevin step per level the noise is removed slowly; early levels look like noise much longer than with the other samplers.',
};

export function ScoreSamplerFormula(props: { frame: SamplingFrame; sampler: ScoreSamplerName }) {
  const { frame, sampler } = props;
  const n = frame.score;
  const at = frame.t === null ? '' : String.raw`\qquad t = ${frame.t}`;
  const score = String.raw`s_\theta(x_t, t) = -\frac{\tilde\epsilon}{\sqrt{1-\bar\alpha_t}}${at}${n ? String.raw`,\ \bar\alpha_t = ${f(n.alphaBar)}` : ''}`;
  let update: string;
  let numbers = '';
  let source: string;
  switch (sampler) {
    case 'euler-maruyama':
      update = String.raw`x_{t'} = x_t + \big(\tfrac12 x_t + s_\theta\big)\,\Delta\tau + \sqrt{\Delta\tau}\,z,\quad \Delta\tau = \ln\frac{\bar\alpha_{t'}}{\bar\alpha_t}`;
      if (n?.deltaTau != null)
        numbers = String.raw`\Delta\tau = ${f(n.deltaTau)},\ \sqrt{\Delta\tau} = ${f(Math.sqrt(n.deltaTau))}`;
      source =
        'Reverse-time SDE, Song et al. 2021 eq. 6, for the VP-SDE of eq. 11 in the time τ = ∫β dt = −ln ᾱ; Euler–Maruyama as score_sde’s EulerMaruyamaPredictor.';
      break;
    case 'pf-ode':
      update = String.raw`\bar x = \frac{x_t}{\sqrt{\bar\alpha_t}},\ \ \bar\sigma = \sqrt{\tfrac{1-\bar\alpha}{\bar\alpha}}:\quad \bar x_{t'} = \bar x_t + (\bar\sigma_{t'} - \bar\sigma_t)\,\frac{\tilde\epsilon(x_t, t) + \tilde\epsilon(\tilde x_{t'}, t')}{2}`;
      if (n)
        numbers = String.raw`\bar\sigma_t = ${f(n.sigmaBar)},\ \bar\sigma_{t'} = ${f(n.sigmaBarNext)}${n.nextT !== null ? String.raw`,\ t' = ${n.nextT}` : ''}`;
      source =
        'Probability-flow ODE, Song et al. 2021 eq. 13, written as dx̄/dσ̄ = ε̃ (DDIM paper eq. 14); Heun’s 2nd-order step (Karras et al. 2022, Alg. 1), x̃ being the Euler (= DDIM) point.';
      break;
    case 'pc':
      update = String.raw`\text{corrector: } x \leftarrow x + \varepsilon s_\theta + \sqrt{2\varepsilon}\,z,\ \varepsilon = 2\alpha\Big(\frac{r\,\lVert z\rVert}{\lVert s_\theta\rVert}\Big)^2;\quad \text{predictor: } x_{t'} = x - (\sqrt{1-\beta'}-1)x + \beta' s_\theta + \sqrt{\beta'}\,z`;
      if (n)
        numbers = String.raw`r = ${f(n.snr)},\ ${n.beta != null ? String.raw`\beta' = 1-\tfrac{\bar\alpha_t}{\bar\alpha_{t'}} = ${f(n.beta)},\ \alpha = 1-\beta' = ${f(1 - n.beta)}` : String.raw`\text{last step}`}`;
      source =
        'Predictor–corrector sampling, Song et al. 2021 Alg. 2 and 5 (VP): reverse-diffusion predictor (eq. 46–47) and Langevin corrector with snr r as in score_sde (r = 0.16).';
      break;
    case 'annealed-langevin':
      update = String.raw`\bar x \leftarrow \bar x + \alpha\,\bar s + \sqrt{2\alpha}\,z,\quad \bar s = -\frac{\tilde\epsilon}{\bar\sigma_t},\quad \alpha = r\,\bar\sigma_t^2`;
      if (n)
        numbers = String.raw`\bar\sigma_t = ${f(n.sigmaBar)},\ r = \varepsilon/\sigma_L^2 = ${f(n.stepRatio)},\ \alpha = ${f(n.stepRatio * n.sigmaBar ** 2)}`;
      source =
        'Annealed Langevin dynamics, Song & Ermon 2019 Alg. 1 (α_i = ε σ_i²/σ_L²), on x̄ = x/√ᾱ whose noise level σ̄ plays NCSN’s σ; levels geometric in σ̄ over the model’s timesteps.';
      break;
  }
  return (
    <div className="panel" data-testid="step-formula">
      <Tex expr={score} display />
      <Tex expr={update} display />
      {numbers && <Tex expr={String.raw`\text{this step: } ${numbers}`} display />}
      {n?.final && (
        <p className="muted">
          Last step: the sample is the model’s x̂₀ from this x_t (the final denoising step of
          score_sde and NCSNv2).
        </p>
      )}
      <p className="muted">
        {source} {scoreNfeText(sampler)}. {WHAT[sampler]}
      </p>
    </div>
  );
}
