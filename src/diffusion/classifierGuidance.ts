// Classifier guidance (Dhariwal & Nichol 2021, "Diffusion Models Beat GANs on Image Synthesis",
// Sec. 4). A noise-aware classifier p_φ(y | x_t, t) steers an (unconditional) diffusion model
// towards class y through its gradient g = ∇ₓ log p_φ(y | x_t, t), taken at x_t:
//   Alg. 1 (ancestral DDPM sampling):  μ' = μ + s·Σ·g,   x_{t−1} ~ N(μ', Σ)
//     (guided-diffusion `condition_mean`: new_mean = mean + variance · gradient)
//   Alg. 2 (DDIM, any ε-sampler):      ε' = ε − √(1−ᾱ_t)·s·g
//     (guided-diffusion `condition_score`; from the score view ∇ log p_t(x_t) = −ε/√(1−ᾱ_t),
//      so ε' is the ε of the score ∇ log p_t(x_t) + s·∇ log p_φ(y | x_t), eq. 12–14)
// s is the classifier scale ("gradient scale"); s = 1 samples p(x | y) exactly when ε and the
// classifier are exact, s > 1 sharpens towards p(y | x)^s.
import * as tf from '@tensorflow/tfjs';
import { assertSameShape } from './coefficients';

function checkScale(scale: number): void {
  if (!Number.isFinite(scale))
    throw new RangeError(`classifier scale must be finite (got ${scale})`);
}

/** μ' = μ + s·Σ·g with Σ = σ² I a scalar variance (Dhariwal & Nichol 2021, Alg. 1). */
export function classifierGuidedMean<R extends tf.Rank>(
  mean: tf.Tensor<R>,
  gradLogProb: tf.Tensor<R>,
  variance: number,
  scale: number,
): tf.Tensor<R> {
  assertSameShape(mean, gradLogProb, 'classifierGuidedMean mean/grad');
  checkScale(scale);
  if (!(variance >= 0 && Number.isFinite(variance))) {
    throw new RangeError(`variance must be a finite number >= 0 (got ${variance})`);
  }
  return tf.tidy(() => tf.add(mean, tf.mul(gradLogProb, scale * variance)));
}

/** ε' = ε − √(1−ᾱ_t)·s·g (Dhariwal & Nichol 2021, Alg. 2, eq. 14). */
export function classifierGuidedEps<R extends tf.Rank>(
  eps: tf.Tensor<R>,
  gradLogProb: tf.Tensor<R>,
  alphaBar: number,
  scale: number,
): tf.Tensor<R> {
  assertSameShape(eps, gradLogProb, 'classifierGuidedEps eps/grad');
  checkScale(scale);
  if (!(alphaBar > 0 && alphaBar <= 1)) {
    throw new RangeError(`alphaBar must be in (0, 1] (got ${alphaBar})`);
  }
  return tf.tidy(() => tf.sub(eps, tf.mul(gradLogProb, Math.sqrt(1 - alphaBar) * scale)));
}

/** The scalar coefficient of g in the mean shift: s·σ² (Alg. 1). */
export function meanShiftCoefficient(variance: number, scale: number): number {
  return scale * variance;
}

/** The scalar coefficient of g in the ε shift: −s·√(1−ᾱ_t) (Alg. 2). */
export function epsShiftCoefficient(alphaBar: number, scale: number): number {
  return -scale * Math.sqrt(1 - alphaBar);
}
