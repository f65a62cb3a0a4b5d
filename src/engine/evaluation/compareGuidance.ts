// Classifier-free guidance (Ho & Salimans 2022) and classifier guidance (Dhariwal & Nichol 2021)
// measured side by side in one run: the same model, judge, sampler, seed and class-balanced
// labels, so both curves start from the same noise x_T for the same classes and differ only in
// how the class steers the samples. First every classifier-free scale s of
// ε̃ = ε_u + s·(ε_c − ε_u), then every classifier scale s of ε' = ε_u − √(1−ᾱ_t)·s·∇ log p_φ(y | x_t)
// (the model on its null class). At s = 0 both are the unconditional model: the same samples.
import type { NoisyClassifier } from '../../model/noisyClassifier';
import {
  evaluateGuidance,
  type EvaluateGuidanceOptions,
  type EvaluationProgress,
  type GuidanceEvaluation,
  type ScaleResult,
} from './evaluateGuidance';

/** The two methods a side-by-side run measures, in run order. */
export type ComparedMethod = 'classifier-free' | 'classifier';

export interface CompareGuidanceOptions extends Omit<
  EvaluateGuidanceOptions,
  'scales' | 'guidanceMethod' | 'cfgScale' | 'classifier' | 'onScale' | 'onProgress'
> {
  /** Classifier-free scales s (ε̃ = ε_u + s·(ε_c − ε_u)). */
  cfgScales: readonly number[];
  /** Classifier scales s >= 0 of `classifier`. */
  classifierScales: readonly number[];
  classifier: NoisyClassifier;
  /** Progress of the whole run: `fraction` covers both curves. */
  onProgress?: (method: ComparedMethod, p: EvaluationProgress) => void | Promise<void>;
  onScale?: (method: ComparedMethod, r: ScaleResult) => void | Promise<void>;
}

export interface GuidanceComparison {
  classifierFree: GuidanceEvaluation;
  classifier: GuidanceEvaluation;
}

export async function compareGuidance(o: CompareGuidanceOptions): Promise<GuidanceComparison> {
  const { cfgScales, classifierScales, classifier, onProgress, onScale, ...common } = o;
  if (cfgScales.length === 0 || classifierScales.length === 0) {
    throw new RangeError('a side-by-side run needs at least one scale of each method');
  }
  const total = cfgScales.length + classifierScales.length;
  const run = (method: ComparedMethod, scales: readonly number[], before: number) =>
    evaluateGuidance({
      ...common,
      scales,
      guidanceMethod: method,
      ...(method === 'classifier' ? { classifier } : {}),
      onProgress: (p) =>
        onProgress?.(method, {
          ...p,
          fraction: (before + p.fraction * scales.length) / total,
        }),
      onScale: (r) => onScale?.(method, r),
    });
  const classifierFree = await run('classifier-free', cfgScales, 0);
  const guided = await run('classifier', classifierScales, cfgScales.length);
  return { classifierFree, classifier: guided };
}
