// Classifier guidance in a sampling session (Dhariwal & Nichol 2021, Alg. 1 and 2): at every
// step g = ∇ₓ log p_φ(y | x_t, t) of the noise-aware classifier, by tfjs's reverse-mode
// gradient (on wasm through the project's conv gradient kernels, src/engine/backends), then
//   DDPM steps: x_{t−1} = μ + s·σ_t²·g + σ_t z   (Alg. 1; guided-diffusion `condition_mean`)
//   DDIM steps: ε' = ε − √(1−ᾱ_t)·s·g            (Alg. 2; guided-diffusion `condition_score`)
// The classifier sees the ORIGINAL timestep of the step (respaced DDIM steps included), as in
// guided-diffusion's SpacedDiffusion, which maps cond_fn's t back the same way it does the model's.
import * as tf from '@tensorflow/tfjs';
import { classifierGuidedEps, classifierGuidedMean } from '../../diffusion/classifierGuidance';
import type { NoisyClassifier } from '../../model/noisyClassifier';
import type { PlanStep, SamplingPlan } from './plan';

/** The classifier's view of x_t and its gradient, for one batch. */
export interface ClassifierGradient {
  /** g = ∇ₓ log p_φ(y_i | x_t, t) per image, [n, H, W, C]. */
  grad: tf.Tensor4D;
  /** p_φ(· | x_t, t), [n, K]. */
  probs: tf.Tensor2D;
}

/**
 * g = ∇ₓ Σ_i log softmax(logits(x_i, t))[y_i]: the images are independent in the classifier, so
 * the gradient of the sum is each image's own gradient. Both tensors belong to the caller.
 */
export function classifierLogProbGradient(
  classifier: NoisyClassifier,
  x: tf.Tensor4D,
  modelT: number,
  classes: Int32Array,
): ClassifierGradient {
  const n = x.shape[0];
  const k = classifier.config.numClasses;
  if (classes.length !== n) {
    throw new RangeError(
      `classifier guidance needs one class per image (${n}), got ${classes.length}`,
    );
  }
  for (const c of classes) {
    if (!Number.isInteger(c) || c < 0 || c >= k) {
      throw new RangeError(
        `classifier guidance classes must be integers in [0, ${k - 1}], got ${c}`,
      );
    }
  }
  const kept: { probs?: tf.Tensor2D } = {};
  const grad = tf.tidy(() => {
    const t = tf.fill([n], modelT, 'int32') as tf.Tensor1D;
    const target = tf.oneHot(tf.tensor1d(classes, 'int32'), k);
    const gradient = tf.grad((xx: tf.Tensor) => {
      const logProb = tf.logSoftmax(classifier.logits(xx as tf.Tensor4D, t));
      kept.probs = tf.keep(tf.exp(logProb));
      return tf.sum(tf.mul(logProb, target));
    })(x);
    return gradient as tf.Tensor4D;
  });
  const probs = kept.probs;
  if (!probs) {
    grad.dispose();
    throw new Error('internal: classifier probabilities missing');
  }
  return { grad, probs };
}

/** How the step applies g: on the mean (DDPM, with its σ²) or on ε (DDIM, with its ᾱ_t). */
export type GuidanceTarget = { on: 'mean'; variance: number } | { on: 'eps'; alphaBar: number };

/** One guided step's extra tensors; all belong to the caller. */
export interface ClassifierGuidedStep extends ClassifierGradient {
  /** The ε the sampler should use (a new tensor, also when the target is the mean). */
  eps: tf.Tensor4D;
}

export class ClassifierGuide {
  private current: number;

  /** The guide does not own `classifier`. */
  constructor(
    readonly classifier: NoisyClassifier,
    readonly classes: Int32Array,
    scale: number,
  ) {
    this.current = ClassifierGuide.validateScale(scale);
  }

  static validateScale(s: number): number {
    if (typeof s !== 'number' || !Number.isFinite(s) || s < 0) {
      throw new RangeError(`classifier scale must be a finite number >= 0 (got ${String(s)})`);
    }
    return s;
  }

  get scale(): number {
    return this.current;
  }

  /** Takes effect from the next step. */
  setScale(s: number): void {
    this.current = ClassifierGuide.validateScale(s);
  }

  /** g and p at x_t, and the ε to step with (shifted for an ε-target, a copy for a mean-target). */
  beforeStep(x: tf.Tensor4D, modelT: number, eps: tf.Tensor4D, target: GuidanceTarget) {
    const g = classifierLogProbGradient(this.classifier, x, modelT, this.classes);
    const guidedEps =
      target.on === 'eps'
        ? classifierGuidedEps(eps, g.grad, target.alphaBar, this.current)
        : tf.clone(eps);
    return { ...g, eps: guidedEps } satisfies ClassifierGuidedStep;
  }

  /** x_{t−1} + s·σ²·g for a mean-target (the noise is independent of the shift); else a copy. */
  afterStep(xPrev: tf.Tensor4D, grad: tf.Tensor4D, target: GuidanceTarget): tf.Tensor4D {
    return target.on === 'mean'
      ? classifierGuidedMean(xPrev, grad, target.variance, this.current)
      : tf.clone(xPrev);
  }
}

/**
 * Where a plan step applies g: ancestral DDPM steps on the mean with their σ_t² (Alg. 1; σ = 0 at
 * the last step, which adds no noise, so no shift either); DDIM steps on ε with their ᾱ_t (Alg. 2).
 * Any other step kind gets the ε form at the training schedule's ᾱ of its model timestep: the
 * score form of Alg. 2 holds for every sampler that is driven by ε.
 */
export function guidanceTarget(plan: SamplingPlan, step: PlanStep): GuidanceTarget {
  if (step.kind === 'ddpm') return { on: 'mean', variance: step.sigma * step.sigma };
  if (step.kind === 'ddim') return { on: 'eps', alphaBar: step.alphaBar };
  return { on: 'eps', alphaBar: plan.schedule.alphaBars[(step as PlanStep).modelT] };
}

/** p and g of a step with one transfer (they differ in shape, so readTogether cannot take them). */
export async function readClassifierStep(step: {
  scale: number;
  probs: tf.Tensor2D;
  grad: tf.Tensor4D;
}): Promise<{ scale: number; probs: Float32Array; grad: Float32Array }> {
  const joined = tf.tidy(() => tf.concat([step.probs.flatten(), step.grad.flatten()]));
  try {
    const all = (await joined.data()) as Float32Array;
    const k = step.probs.size;
    return { scale: step.scale, probs: all.subarray(0, k), grad: all.subarray(k) };
  } finally {
    joined.dispose();
  }
}
