// The model's own log-likelihood through the probability-flow ODE (Song et al. 2021, Sec. 4.3 and
// App. D.2, "instantaneous change of variables", Chen et al. 2018):
//   log p_ε(x_ε) = log p_T(x_T) + ∫_ε^T ∇·v(x_t, t) dt,  v = c(t) x − ½ g(t)² s(x, t),
// so ∇·v = 2c(t) − ½ g(t)² ∇·s. score_sde estimates ∇·v with Hutchinson's trick; in 2-D the
// divergence is exact (the closed form of gmm.ts, or the two diagonal entries of a network's
// Jacobian), so the only error is the ODE solver's.
import { evaluateGmm, type Gmm, type Marginal } from './gmm';
import { SAMPLING_EPS, type Sde } from './sde';
import { pfOdeVelocity } from './updates';

const LOG_2PI = Math.log(2 * Math.PI);

/** The score ∇ log p_t and its divergence ∇·∇ log p_t at the particles x (interleaved). */
export type ScoreDivFn = (
  x: Float64Array,
  m: Marginal,
  score: Float64Array,
  divergence: Float64Array,
) => void | Promise<void>;

/** The closed-form score and divergence of a Gaussian mixture (gmm.ts). */
export function exactScoreDiv(g: Gmm): ScoreDivFn {
  return (x, m, score, divergence) => evaluateGmm(g, m, x, { score, divergence });
}

/**
 * log p(x) in nats for each point x (interleaved) under the density the PF-ODE of `sde` with the
 * score `scoreDiv` defines, integrating from ε to 1 with N Heun steps.
 */
export async function pfOdeLogLikelihoodOf(
  scoreDiv: ScoreDivFn,
  sde: Sde,
  x: Float64Array,
  N = 200,
): Promise<Float64Array> {
  const n = x.length >> 1;
  const eps = SAMPLING_EPS[sde.kind];
  const y = Float64Array.from(x);
  const tmp = new Float64Array(y.length);
  const s = new Float64Array(y.length);
  const v1 = new Float64Array(y.length);
  const v2 = new Float64Array(y.length);
  const div1 = new Float64Array(n);
  const div2 = new Float64Array(n);
  const integral = new Float64Array(n);
  const velocity = async (pts: Float64Array, t: number, v: Float64Array, div: Float64Array) => {
    await scoreDiv(pts, sde.marginal(t), s, div);
    const c = sde.driftCoef(t);
    const gt = sde.diffusion(t);
    pfOdeVelocity(pts, s, c, gt, v);
    for (let i = 0; i < n; i++) div[i] = 2 * c - 0.5 * gt * gt * div[i];
  };
  for (let k = 0; k < N; k++) {
    const ta = eps + ((1 - eps) * k) / N;
    const tb = eps + ((1 - eps) * (k + 1)) / N;
    const dt = tb - ta;
    await velocity(y, ta, v1, div1);
    for (let i = 0; i < y.length; i++) tmp[i] = y[i] + dt * v1[i];
    await velocity(tmp, tb, v2, div2);
    for (let i = 0; i < y.length; i++) y[i] += 0.5 * dt * (v1[i] + v2[i]);
    for (let i = 0; i < n; i++) integral[i] += 0.5 * dt * (div1[i] + div2[i]);
  }
  const out = new Float64Array(n);
  const v = sde.priorStd * sde.priorStd;
  for (let i = 0; i < n; i++) {
    const r2 = y[2 * i] ** 2 + y[2 * i + 1] ** 2;
    out[i] = -LOG_2PI - Math.log(v) - (0.5 * r2) / v + integral[i];
  }
  return out;
}

/** pfOdeLogLikelihoodOf with the exact score of the mixture g. */
export function pfOdeLogLikelihood(
  g: Gmm,
  sde: Sde,
  x: Float64Array,
  N = 200,
): Promise<Float64Array> {
  return pfOdeLogLikelihoodOf(exactScoreDiv(g), sde, x, N);
}
