// The formulas, papers and "what to look for" lines of the "Score & SDE" view, with the current
// numbers filled in. TeX strings come from our own code only.
import {
  makeSde,
  type SamplerName,
  type SamplerSettings,
  type SdeParams,
} from '../diffusion/score2d';

export interface SamplerText {
  tex: string;
  paper: string;
  look: string;
}

const f3 = (v: number): string =>
  Math.abs(v) >= 1e-3 || v === 0 ? String(Number(v.toPrecision(3))) : v.toExponential(2);

/** What the sampler does at time t (or level σ), in TeX with numbers. */
export function samplerText(
  st: SamplerSettings,
  params: SdeParams,
  now: { t: number | null; sigma: number },
): SamplerText {
  const sde = makeSde(st.sampler === 'ddpm' ? 'vp' : st.sde, params);
  const t = now.t ?? 1;
  const g = sde.diffusion(t);
  const c = sde.driftCoef(t);
  const sdeName = { vp: 'VP', subvp: 'sub-VP', ve: 'VE' }[sde.kind];
  const sampler: SamplerName = st.sampler;
  switch (sampler) {
    case 'langevin':
      return {
        tex: `x \\leftarrow x + \\alpha\\,\\nabla_x \\log p_\\sigma(x) + \\sqrt{2\\alpha}\\,z,\\quad \\alpha = ${f3(st.stepSize)},\\ \\sigma = ${f3(st.sigma)},\\ ${st.steps}\\text{ steps}`,
        paper: 'Langevin dynamics at one noise level: Song & Ermon 2019, eq. 4 (ermongroup/ncsn).',
        look: 'Each particle slides into the nearest mode and stays: the 0.2/0.8 weights of "mixture" come out near 0.5/0.5, because at small σ the score says nothing between the modes.',
      };
    case 'annealed-langevin': {
      const L = st.levels;
      const ratio = st.stepSize / (st.sigmaLast * st.sigmaLast);
      return {
        tex: `\\alpha_i = \\epsilon\\,\\frac{\\sigma_i^2}{\\sigma_L^2},\\ x \\leftarrow x + \\alpha_i \\nabla_x \\log p_{\\sigma_i}(x) + \\sqrt{2\\alpha_i}\\,z;\\ \\sigma_i = ${f3(now.sigma)},\\ \\alpha_i = ${f3(ratio * now.sigma * now.sigma)},\\ \\epsilon = ${f3(st.stepSize)},\\ \\sigma_1 = ${f3(st.sigmaFirst)} \\to \\sigma_L = ${f3(st.sigmaLast)},\\ L = ${L},\\ T = ${st.steps}`,
        paper:
          'Annealed Langevin dynamics: Song & Ermon 2019, Alg. 1 (ermongroup/ncsn, anneal_Langevin_dynamics).',
        look: 'At large σ the modes overlap and particles move between them in proportion to the weights; the levels then shrink and keep that proportion.',
      };
    }
    case 'reverse-sde':
      return {
        tex: `x \\leftarrow x + \\big[f(x,t) - g(t)^2\\,s(x,t)\\big]\\Delta t + g(t)\\sqrt{|\\Delta t|}\\,z,\\quad t = ${f3(t)},\\ f = ${f3(c)}\\,x,\\ g(t) = ${f3(g)},\\ \\Delta t = -1/${st.steps}`,
        paper: `Reverse-time ${sdeName} SDE by Euler–Maruyama: Song et al. 2021, eq. 6 (yang-song/score_sde, EulerMaruyamaPredictor; β_min = 0.1, β_max = 20, σ_max scaled to the data).`,
        look: 'The noise term keeps particles exploring while the score term pulls them to the data: weights come out right.',
      };
    case 'pf-ode':
      return {
        tex: `\\frac{dx}{dt} = f(x,t) - \\tfrac12 g(t)^2\\,s(x,t),\\quad t = ${f3(t)},\\ f = ${f3(c)}\\,x,\\ \\tfrac12 g^2 = ${f3(0.5 * g * g)}\\ (${st.ode === 'heun' ? 'Heun, 2 scores per step' : 'Euler'})`,
        paper: `Probability-flow ODE of the ${sdeName} SDE: Song et al. 2021, eq. 13 (score_sde uses RK45; here Euler or Heun).`,
        look: 'No noise: a particle follows one smooth curve, and the same start always ends at the same place. Compare its path with the SDE one from the same start.',
      };
    case 'pc':
      return {
        tex: `\\text{corrector: } \\epsilon = 2\\alpha\\Big(r\\frac{\\|z\\|}{\\|s\\|}\\Big)^2,\\ x \\leftarrow x + \\epsilon s + \\sqrt{2\\epsilon}\\,z,\\ r = ${f3(st.snr)};\\ \\text{predictor: } x \\leftarrow x - f_i + G_i^2 s + G_i z,\\ t = ${f3(t)}`,
        paper: `Predictor–corrector (reverse diffusion + Langevin): Song et al. 2021, Alg. 2, 4, 5 (score_sde LangevinCorrector, snr default 0.16).`,
        look: 'The corrector (snr r) nudges particles toward p_t at each t; a larger r takes bigger, noisier corrector steps.',
      };
    case 'ddpm':
      return {
        tex: `x \\leftarrow \\frac{x + \\beta_i\\,s(x, i)}{\\sqrt{1-\\beta_i}} + \\sqrt{\\beta_i}\\,z,\\quad s = -\\frac{\\hat\\epsilon}{\\sqrt{1-\\bar\\alpha_i}},\\ \\beta_i \\in [${f3(params.betaMin / st.steps)}, ${f3(params.betaMax / st.steps)}],\\ N = ${st.steps}`,
        paper:
          'DDPM ancestral sampling: Ho et al. 2020, eq. 11 with σ² = β (score_sde AncestralSamplingPredictor).',
        look: 'The discrete twin of the VP reverse SDE: with many steps they agree.',
      };
  }
}

/** The exact score of the noised mixture, with the marginal's numbers. */
export function scoreTex(a: number, b: number): string {
  return `\\nabla_x \\log p_t(x) = \\sum_k r_k(x)\\,\\frac{a\\mu_k - x}{a^2 v_k + b^2},\\quad x_t = a\\,x_0 + b\\,z,\\ a = ${f3(a)},\\ b = ${f3(b)},\\ \\sigma = b/a = ${f3(b / a)}`;
}
