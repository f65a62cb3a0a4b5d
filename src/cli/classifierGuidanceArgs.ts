// The classifier-guidance flags shared by `sample` and `eval`: --guidance-method,
// --classifier DIR, --classifier-scale S; validation, loading the noise-aware classifier and
// checking it against the diffusion model it is to guide.
import type { NoisyClassifier } from '../model/noisyClassifier';
import { createNoisyClassifier, decodeNoisyClassifier } from '../engine/noisyClassifier/checkpoint';
import { loadNoisyClassifierDir } from '../engine/noisyClassifier/fsStore';
import type { NoisyClassifierManifest } from '../engine/noisyClassifier/types';
import { classifierMismatch, type GuidedModelInfo } from '../engine/noisyClassifier/compat';
import {
  GUIDANCE_METHODS,
  usesClassifier,
  type GuidanceMethod,
} from '../engine/sampling/guidanceMethod';
import { parseChoice, parseNumberFlag } from './args';
import { UsageError } from './types';

export const CLASSIFIER_GUIDANCE_OPTIONS = {
  'guidance-method': { type: 'string' },
  classifier: { type: 'string' },
  'classifier-scale': { type: 'string', multiple: true },
} as const;

export const CLASSIFIER_GUIDANCE_USAGE = `  --guidance-method classifier-free|classifier|both
                        classifier-free (default): --guidance mixes ε_c and ε_u;
                        classifier: the model runs on its null class and the noise-aware
                        classifier's gradient g = ∇x log p(y | x_t, t) steers it (Dhariwal &
                        Nichol 2021: DDPM μ' = μ + s·σ²·g, DDIM ε' = ε − √(1−ᾱ_t)·s·g);
                        both: classifier-free guidance and classifier guidance together
  --classifier DIR      noise-aware classifier (cli train-noisy-classifier), needed by
                        classifier and both
  --classifier-scale S  classifier scale s >= 0 (default 1)`;

export interface ClassifierGuidanceArgs {
  method: GuidanceMethod;
  classifier: string | null;
  /** One or more scales (eval sweeps them; sample takes exactly one). */
  classifierScales: number[];
}

interface RawFlags {
  'guidance-method'?: string;
  classifier?: string;
  'classifier-scale'?: string[];
}

/** Validates the three flags together. Throws UsageError. */
export function parseClassifierGuidanceArgs(v: RawFlags): ClassifierGuidanceArgs {
  const method = parseChoice(
    '--guidance-method',
    v['guidance-method'] ?? 'classifier-free',
    GUIDANCE_METHODS,
  );
  const raw = v['classifier-scale'];
  const scales =
    raw === undefined
      ? [1]
      : raw.flatMap((r) =>
          r.split(',').map((p) => parseNumberFlag('--classifier-scale', p.trim(), { min: 0 })),
        );
  if (!usesClassifier(method)) {
    if (v.classifier !== undefined || raw !== undefined) {
      throw new UsageError(
        '--classifier and --classifier-scale need --guidance-method classifier or both',
      );
    }
    return { method, classifier: null, classifierScales: [] };
  }
  if (v.classifier === undefined) {
    throw new UsageError(
      `--guidance-method ${method} needs --classifier DIR (a noise-aware classifier, cli train-noisy-classifier)`,
    );
  }
  return { method, classifier: v.classifier, classifierScales: scales };
}

/** Throws UsageError when the classifier cannot guide this model. */
export function checkClassifierAgainstModel(
  m: NoisyClassifierManifest,
  model: GuidedModelInfo,
): void {
  const why = classifierMismatch(m, model);
  if (why !== null) throw new UsageError(why);
}

/** Reads, validates and checks the classifier, then creates its variables. */
/** The classifier --classifier names, checked against the diffusion checkpoint's manifest; null without one. */
export function guidingClassifierFor(
  args: ClassifierGuidanceArgs,
  manifest: {
    dataset: string;
    modelConfig: { imageSize: number; inChannels: number; numClasses: number };
    schedule: GuidedModelInfo['schedule'];
  },
): Promise<{ classifier: NoisyClassifier; manifest: NoisyClassifierManifest } | null> {
  if (args.classifier === null) return Promise.resolve(null);
  const { imageSize, inChannels, numClasses } = manifest.modelConfig;
  return loadGuidingClassifier(args.classifier, {
    dataset: manifest.dataset,
    imageSize,
    inChannels,
    numClasses,
    schedule: manifest.schedule,
  });
}

export async function loadGuidingClassifier(
  dir: string,
  model: GuidedModelInfo,
): Promise<{ classifier: NoisyClassifier; manifest: NoisyClassifierManifest }> {
  const raw = await loadNoisyClassifierDir(dir);
  const decoded = decodeNoisyClassifier(raw.modelJson, raw.weights);
  checkClassifierAgainstModel(decoded.manifest, model);
  return { classifier: createNoisyClassifier(decoded), manifest: decoded.manifest };
}
