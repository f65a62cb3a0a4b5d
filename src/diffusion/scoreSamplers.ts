// Score-based samplers on a trained ε-model (Song et al. 2021, "Score-Based Generative Modeling
// through Stochastic Differential Equations", ICLR 2021; reference code yang-song/score_sde).
// A DDPM is a discretised VP-SDE, and its ε-network is a score model:
//   s_θ(x_t, t) = −ε̂(x_t, t)/√(1−ᾱ_t)          (Song et al. 2021, eq. 4 and App. B / Ho et al. eq. 11).
// Every function here is one closed-form update on tensors; the caller evaluates the network.
// All steps go from the noise level ᾱ_a (the step's own timestep) to ᾱ_b > ᾱ_a (the next one the
// sampler visits; ᾱ_b = 1 after the last one), so any subset of the training steps can be used.
import * as tf from '@tensorflow/tfjs';
import { assertSameShape } from './coefficients';

function checkAlphaBar(name: string, v: number, allowOne: boolean): void {
  if (!(v > 0 && (allowOne ? v <= 1 : v < 1))) {
    throw new RangeError(`${name} must be in (0, ${allowOne ? '1]' : '1)'} (got ${v})`);
  }
}

function checkPair(alphaBar: number, alphaBarNext: number): void {
  checkAlphaBar('alphaBar', alphaBar, false);
  checkAlphaBar('alphaBarNext', alphaBarNext, true);
  if (!(alphaBarNext > alphaBar)) {
    throw new RangeError(
      `a reverse step needs alphaBarNext > alphaBar (${alphaBarNext} <= ${alphaBar})`,
    );
  }
}

/** σ̄ = √((1−ᾱ)/ᾱ): the noise level of x/√ᾱ = x_0 + σ̄ ε (Song et al. 2021 DDIM, eq. 14). */
export function sigmaBar(alphaBar: number): number {
  checkAlphaBar('alphaBar', alphaBar, true);
  return Math.sqrt((1 - alphaBar) / alphaBar);
}

/** s_θ = −ε̂/√(1−ᾱ_t): the score of the VP marginal q(x_t) (Song et al. 2021, App. B). */
export function scoreFromEps<R extends tf.Rank>(eps: tf.Tensor<R>, alphaBar: number): tf.Tensor<R> {
  checkAlphaBar('alphaBar', alphaBar, false);
  return tf.mul<tf.Tensor<R>>(eps, -1 / Math.sqrt(1 - alphaBar));
}

export interface Denoised<R extends tf.Rank> {
  /** x̂_0 = (x_t − √(1−ᾱ) ε)/√ᾱ (Ho et al. 2020, eq. 15), clipped to [−1, 1] when asked. */
  x0Pred: tf.Tensor<R>;
  /** ε consistent with x_t and that x̂_0 (= ε itself without clipping). */
  epsUsed: tf.Tensor<R>;
}

/**
 * The x̂_0 and ε a step uses. With `clip`, x̂_0 is clamped to [−1, 1] and ε re-derived from it,
 * ε = (x_t − √ᾱ x̂_0)/√(1−ᾱ), the same rule as the DDPM and DDIM steps (samplers.ts), so every
 * sampler sees the same "clipped denoiser". Both tensors belong to the caller.
 */
export function denoise<R extends tf.Rank>(
  xt: tf.Tensor<R>,
  eps: tf.Tensor<R>,
  alphaBar: number,
  clip: boolean,
): Denoised<R> {
  checkAlphaBar('alphaBar', alphaBar, false);
  assertSameShape(xt, eps, 'denoise xt/eps');
  const a = Math.sqrt(alphaBar);
  const b = Math.sqrt(1 - alphaBar);
  return tf.tidy(() => {
    const raw = tf.div<tf.Tensor<R>>(tf.sub(xt, tf.mul(eps, b)), a);
    if (!clip) return { x0Pred: raw, epsUsed: tf.clone(eps) };
    const x0Pred = tf.clipByValue(raw, -1, 1);
    return { x0Pred, epsUsed: tf.div<tf.Tensor<R>>(tf.sub(xt, tf.mul(x0Pred, a)), b) };
  });
}

// ---------------------------------------------------------------- probability-flow ODE (Heun)

/**
 * The probability-flow ODE of the VP-SDE, dx = [−½β(t)x − ½β(t) s_θ] dt (Song et al. 2021,
 * eq. 13 with eq. 11's f and g), becomes dx̄/dσ̄ = ε̂ in x̄ = x/√ᾱ, σ̄ = √((1−ᾱ)/ᾱ) (Song et al.
 * 2021 DDIM, eq. 14; Karras et al. 2022, Sec. 4). One Euler step of it is DDIM with η = 0:
 * x_b = √ᾱ_b (x_a/√ᾱ_a + (σ̄_b − σ̄_a) ε̂_a).
 */
export function pfOdeEulerStep<R extends tf.Rank>(
  xt: tf.Tensor<R>,
  eps: tf.Tensor<R>,
  alphaBar: number,
  alphaBarNext: number,
): tf.Tensor<R> {
  checkPair(alphaBar, alphaBarNext);
  assertSameShape(xt, eps, 'pfOdeEulerStep xt/eps');
  const h = sigmaBar(alphaBarNext) - sigmaBar(alphaBar);
  const c = Math.sqrt(alphaBarNext);
  return tf.tidy(() =>
    tf.mul<tf.Tensor<R>>(tf.add(tf.div(xt, Math.sqrt(alphaBar)), tf.mul(eps, h)), c),
  );
}

/**
 * Heun's 2nd-order step of dx̄/dσ̄ = ε̂ (Karras et al. 2022, Alg. 1, lines 5–8): with ε̂_a at x_a
 * and ε̂_b at the Euler point x̃_b = pfOdeEulerStep(x_a, ε̂_a),
 * x_b = √ᾱ_b (x_a/√ᾱ_a + (σ̄_b − σ̄_a)(ε̂_a + ε̂_b)/2). Deterministic: no noise anywhere.
 */
export function pfOdeHeunStep<R extends tf.Rank>(
  xt: tf.Tensor<R>,
  epsA: tf.Tensor<R>,
  epsB: tf.Tensor<R>,
  alphaBar: number,
  alphaBarNext: number,
): tf.Tensor<R> {
  checkPair(alphaBar, alphaBarNext);
  assertSameShape(epsA, epsB, 'pfOdeHeunStep epsA/epsB');
  return tf.tidy(() =>
    pfOdeEulerStep(xt, tf.mul<tf.Tensor<R>>(tf.add(epsA, epsB), 0.5), alphaBar, alphaBarNext),
  );
}

// ---------------------------------------------------------------- reverse SDE, Euler–Maruyama

/**
 * The reverse VP-SDE dx = [−½β x − β s_θ] dt + √β dw̄ (Song et al. 2021, eq. 6 with eq. 11's
 * f = −½βx, g = √β) in the time τ = ∫β dt = −ln ᾱ (ᾱ = e^{−∫β}, eq. 29's mean coefficient) is
 * dx = [−½x − s_θ] dτ + dw̄_τ. Its Euler–Maruyama step backwards by Δτ = ln(ᾱ_b/ᾱ_a) > 0 is
 * x_b = x_a + (½x_a + s_θ) Δτ + √Δτ z (score_sde `EulerMaruyamaPredictor`, with β(t)|dt| = Δτ).
 */
export function eulerMaruyamaDeltaTau(alphaBar: number, alphaBarNext: number): number {
  checkPair(alphaBar, alphaBarNext);
  return Math.log(alphaBarNext / alphaBar);
}

export function eulerMaruyamaStep<R extends tf.Rank>(
  xt: tf.Tensor<R>,
  eps: tf.Tensor<R>,
  alphaBar: number,
  alphaBarNext: number,
  noise: tf.Tensor<R>,
): tf.Tensor<R> {
  const dTau = eulerMaruyamaDeltaTau(alphaBar, alphaBarNext);
  assertSameShape(xt, eps, 'eulerMaruyamaStep xt/eps');
  assertSameShape(xt, noise, 'eulerMaruyamaStep xt/noise');
  return tf.tidy(() => {
    const drift = tf.add(tf.mul(xt, 0.5), scoreFromEps(eps, alphaBar));
    return tf.add<tf.Tensor<R>>(tf.add(xt, tf.mul(drift, dTau)), tf.mul(noise, Math.sqrt(dTau)));
  });
}

// ---------------------------------------------------------------- predictor–corrector

/**
 * β' = 1 − ᾱ_a/ᾱ_b: the discrete β of the step from ᾱ_a to ᾱ_b (Ho et al. 2020, ᾱ_t = Π(1−β);
 * improved-diffusion respace.py). For consecutive training steps it is β_t itself.
 */
export function stepBeta(alphaBar: number, alphaBarNext: number): number {
  checkPair(alphaBar, alphaBarNext);
  return 1 - alphaBar / alphaBarNext;
}

/**
 * Reverse-diffusion predictor on the discretised VP-SDE x_{i+1} = √(1−β_i) x_i + √β_i z
 * (Song et al. 2021, eq. 46–47; score_sde `ReverseDiffusionPredictor` with `VPSDE.discretize`:
 * f = (√(1−β)−1)x, G = √β): mean = x − f + G² s_θ, x_b = mean + G z. Without noise, the mean.
 */
export function reverseDiffusionPredictorStep<R extends tf.Rank>(
  xt: tf.Tensor<R>,
  eps: tf.Tensor<R>,
  alphaBar: number,
  alphaBarNext: number,
  noise: tf.Tensor<R> | null,
): tf.Tensor<R> {
  const beta = stepBeta(alphaBar, alphaBarNext);
  assertSameShape(xt, eps, 'reverseDiffusionPredictorStep xt/eps');
  if (noise) assertSameShape(xt, noise, 'reverseDiffusionPredictorStep xt/noise');
  return tf.tidy(() => {
    const f = tf.mul(xt, Math.sqrt(1 - beta) - 1);
    const mean = tf.add<tf.Tensor<R>>(tf.sub(xt, f), tf.mul(scoreFromEps(eps, alphaBar), beta));
    return noise ? tf.add<tf.Tensor<R>>(mean, tf.mul(noise, Math.sqrt(beta))) : mean;
  });
}

/** score_sde's default signal-to-noise ratio of the Langevin corrector (configs: sampling.snr = 0.16). */
export const DEFAULT_SNR = 0.16;

/** Mean over the batch (axis 0) of each example's Euclidean norm, as a scalar tensor. */
function meanExampleNorm(v: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.norm(tf.reshape(v, [v.shape[0], -1]), 'euclidean', 1)));
}

/**
 * Langevin corrector (Song et al. 2021, Alg. 5 for VP; score_sde `LangevinCorrector`):
 * step ε = 2α (r ‖z‖/‖s_θ‖)² with α = 1 − β' and ‖·‖ each example's norm averaged over the
 * batch, then x ← x + ε s_θ + √(2ε) z. `snr` is r. Returns the step size too (a scalar tensor).
 */
export function langevinCorrectorStep<R extends tf.Rank>(
  xt: tf.Tensor<R>,
  eps: tf.Tensor<R>,
  alphaBar: number,
  alphaBarNext: number,
  snr: number,
  noise: tf.Tensor<R>,
): { x: tf.Tensor<R>; stepSize: tf.Scalar } {
  if (!(Number.isFinite(snr) && snr > 0)) throw new RangeError(`snr must be > 0 (got ${snr})`);
  const alpha = 1 - stepBeta(alphaBar, alphaBarNext);
  assertSameShape(xt, eps, 'langevinCorrectorStep xt/eps');
  assertSameShape(xt, noise, 'langevinCorrectorStep xt/noise');
  return tf.tidy(() => {
    const score = scoreFromEps(eps, alphaBar);
    const r = tf.div(tf.mul(meanExampleNorm(noise), snr), meanExampleNorm(score));
    const stepSize = tf.mul(tf.square(r), 2 * alpha) as tf.Scalar;
    const x = tf.add<tf.Tensor<R>>(
      tf.add(xt, tf.mul(score, stepSize)),
      tf.mul(noise, tf.sqrt(tf.mul(stepSize, 2))),
    );
    return { x, stepSize };
  });
}

// ---------------------------------------------------------------- annealed Langevin (NCSN)

/**
 * NCSN's step-size ratio ε/σ_L² (Song & Ermon 2019, Alg. 1: α_i = ε σ_i²/σ_L²), from NCSN's
 * settings ε = 2·10⁻⁵, σ_L = 0.01 (Sec. 5); σ_L = 0.01 is also σ̄ at t = 0 of the linear DDPM
 * schedule. (NCSNv2's 6.2·10⁻⁶ = 0.062·σ_L² needs ~5 steps per level; at one step per level it
 * left MNIST samples at their initial noise here.)
 */
export const DEFAULT_LANGEVIN_STEP_RATIO = 0.2;

/**
 * One annealed-Langevin step at noise level ᾱ (Song & Ermon 2019, Alg. 1 line 6, in ncsn's form
 * x ← x + α s + √(2α) z), run on x̄ = x/√ᾱ, whose distribution is the data blurred by
 * N(0, σ̄²) — exactly NCSN's perturbed data at σ = σ̄ — with score s̄ = √ᾱ s_θ = −ε̂/σ̄ and
 * α = ratio · σ̄² (α_i = ε σ_i²/σ_L² with ratio = ε/σ_L²). The result is rescaled to the next
 * level's VP scale: x_b = √ᾱ_b x̄' (ᾱ_b = ᾱ while staying at one level).
 */
export function annealedLangevinStep<R extends tf.Rank>(
  xt: tf.Tensor<R>,
  eps: tf.Tensor<R>,
  alphaBar: number,
  alphaBarNext: number,
  stepRatio: number,
  noise: tf.Tensor<R>,
): tf.Tensor<R> {
  checkAlphaBar('alphaBar', alphaBar, false);
  checkAlphaBar('alphaBarNext', alphaBarNext, true);
  if (!(Number.isFinite(stepRatio) && stepRatio > 0)) {
    throw new RangeError(`Langevin step ratio must be > 0 (got ${stepRatio})`);
  }
  assertSameShape(xt, eps, 'annealedLangevinStep xt/eps');
  assertSameShape(xt, noise, 'annealedLangevinStep xt/noise');
  const sb = sigmaBar(alphaBar);
  const alpha = stepRatio * sb * sb;
  return tf.tidy(() => {
    const xBar = tf.div(xt, Math.sqrt(alphaBar));
    // α s̄ = −α ε̂/σ̄ = −ratio·σ̄·ε̂
    const moved = tf.add(
      tf.sub(xBar, tf.mul(eps, stepRatio * sb)),
      tf.mul(noise, Math.sqrt(2 * alpha)),
    );
    return tf.mul<tf.Tensor<R>>(moved, Math.sqrt(alphaBarNext));
  });
}
