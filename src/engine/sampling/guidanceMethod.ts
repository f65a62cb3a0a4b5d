// Which guidance steers a class-conditional sample, and what that means for the ε-model's labels:
//   classifier-free  ε̃ = ε_u + s·(ε_c − ε_u) (Ho & Salimans 2022): the model sees the class
//   classifier       the model runs UNCONDITIONALLY (its null class) and the noise-aware
//                    classifier's gradient steers it (Dhariwal & Nichol 2021, Alg. 1 and 2)
//   both             classifier-free guidance with scale s, plus classifier guidance on top
//                    (Dhariwal & Nichol 2021, Sec. 5 guide a conditional model the same way)
// Pure TypeScript: the UI's validation imports the names.
import type { NoisyClassifier } from '../../model/noisyClassifier';

export const GUIDANCE_METHODS = ['classifier-free', 'classifier', 'both'] as const;
export type GuidanceMethod = (typeof GUIDANCE_METHODS)[number];

export function isGuidanceMethod(v: unknown): v is GuidanceMethod {
  return typeof v === 'string' && (GUIDANCE_METHODS as readonly string[]).includes(v);
}

/** Whether the method needs the noise-aware classifier. */
export function usesClassifier(method: GuidanceMethod): boolean {
  return method !== 'classifier-free';
}

export interface ClassifierGuidanceOptions {
  classifier: NoisyClassifier;
  /** One target class per image, 0..K−1. */
  classes: readonly number[];
  /** s of Alg. 1/2, >= 0. */
  scale: number;
}

/**
 * The ε-model's labels and classifier-free scale for a method: the classifier alone runs the model
 * on its null class (labels null) with no classifier-free guidance.
 */
export function modelConditioning(
  method: GuidanceMethod,
  classes: readonly number[] | null,
  guidanceScale: number,
): { classes: readonly number[] | null; guidanceScale: number } {
  return method === 'classifier' ? { classes: null, guidanceScale: 1 } : { classes, guidanceScale };
}
