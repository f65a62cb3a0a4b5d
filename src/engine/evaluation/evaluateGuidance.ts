// How good are a model's samples, scale by scale of classifier-free guidance? For each guidance
// scale s it draws class-balanced DDIM samples (Song et al. 2021; η = 0 by default) and lets the
// MNIST judge score them:
//   accuracy          the judge's label = the class asked for (overall and per class)
//   Fréchet distance  between the Gaussians of judge features of the samples and of the real
//                     test set (FID's formula, Heusel et al. 2017, with this small judge in place
//                     of Inception-v3: values are comparable only under the same judge and n)
//   diversity         within-class mean pairwise feature distance of the samples over that of
//                     real test images (1 = as diverse as the data)
// Every scale uses the same initial noise and labels (common random numbers), so differences
// between scales come from guidance alone. Runs wherever tfjs does (CLI and Web Worker).
import type { Schedule } from '../../diffusion/schedule';
import type { Classifier } from '../../model/classifier';
import { argmaxRows, classAccuracy, type ClassAccuracy } from '../../metrics/accuracy';
import { diversityRatio, perClassPairwiseDistance, type Diversity } from '../../metrics/diversity';
import { featureStats } from '../../metrics/featureStats';
import { frechetParts } from '../../metrics/frechet';
import { judgeImages } from '../judge/outputs';
import { referenceGaussian } from '../judge/referenceStats';
import type { ReferenceStats } from '../judge/types';
import type { EpsModel } from '../sampling/eps';
import type { NoisyClassifier } from '../../model/noisyClassifier';
import { modelConditioning, usesClassifier, type GuidanceMethod } from '../sampling/guidanceMethod';
import { DEFAULT_DDIM_STEPS, type ReverseVariance, type SamplerKind } from '../sampling/options';
import { sampleImages, type SamplePeers } from '../sampling/sampleImages';

/** What s means in this code base (src/diffusion/guidance.ts: ε̃ = ε_u + s (ε_c − ε_u)). */
export const GUIDANCE_CONVENTION =
  'ε̃ = ε_u + s·(ε_c − ε_u) (Ho & Salimans 2022 with w = s − 1): s = 0 is unconditional ' +
  'sampling (the class is ignored), s = 1 is plain conditional sampling without guidance, ' +
  's > 1 is guided';

export const DEFAULT_GUIDANCE_SCALES: readonly number[] = [0, 1, 2, 3, 5, 7.5];
export const DEFAULT_SAMPLES_PER_SCALE = 500;
export const DEFAULT_EVALUATION_BATCH = 50;

export interface EvaluationProgress {
  /** Index into scales of the scale being sampled. */
  scaleIndex: number;
  guidanceScale: number;
  /** Images finished at this scale. */
  imagesDone: number;
  samplesPerScale: number;
  /** Denoising steps done in the current batch, of totalSteps. */
  stepsDone: number;
  totalSteps: number;
  /** Of the whole evaluation, in [0, 1]. */
  fraction: number;
}

export interface EvaluateGuidanceOptions {
  /** A class-conditional ε-model trained with label dropout (numClasses = the judge's). */
  unet: EpsModel;
  schedule: Schedule;
  judge: Classifier;
  /** The judge's reference-stats.json (the real data's feature Gaussian and diversity). */
  reference: ReferenceStats;
  scales: readonly number[];
  /** Images per scale, class-balanced: label of image i is i mod numClasses. */
  samplesPerScale: number;
  /** Sampler (default ddim) and its options (steps: default min(50, T); see sampling/options). */
  sampler?: SamplerKind;
  snr?: number;
  langevinSteps?: number;
  /** DDPM's σ²: β (default), β̃ or the model's learned Σ_θ (Nichol & Dhariwal 2021). */
  variance?: ReverseVariance;
  /** Steps or levels (default min(50, T); DDPM: T, fewer runs it respaced). */
  steps?: number;
  /** DDIM η (default 0: deterministic). */
  eta?: number;
  /** Clip x̂_0 to [−1, 1] in every step (default true; see samplers.ts). */
  clipX0?: boolean;
  seed?: number;
  /** Images per sampling batch (default 50; guidance runs the network on twice as many). */
  batch?: number;
  /** Number of samples per scale to return as images (default 0). */
  keepImages?: number;
  onProgress?: (p: EvaluationProgress) => void | Promise<void>;
  /** Called with each scale's result as soon as it is known. */
  onScale?: (r: ScaleResult) => void | Promise<void>;
  /** Checked after every denoising step; aborting rejects with signal.reason. */
  signal?: AbortSignal;
  /**
   * classifier-free (default): `scales` are classifier-free scales. classifier / both: `scales`
   * are classifier scales (Dhariwal & Nichol 2021) of `classifier`; with both, the classifier-free
   * scale is `cfgScale` (default 1); with classifier, the model runs on its null class.
   */
  guidanceMethod?: GuidanceMethod;
  classifier?: NoisyClassifier;
  cfgScale?: number;
  /**
   * Latent diffusion: the model samples latents and this turns n of them into images of the
   * given size (x = D(ẑ₀ / scale)); the decoding counts in the time per image.
   */
  decode?: LatentDecoder;
  /** Sampling workers sharing each step's batch (the samples are the same); none by default. */
  peers?: SamplePeers;
}

export interface LatentDecoder {
  imageSize: number;
  inChannels: number;
  decode: (z: Float32Array, n: number) => Promise<Float32Array>;
}

export interface ScaleResult {
  guidanceScale: number;
  samples: number;
  accuracy: ClassAccuracy;
  /** |μ_s − μ_r|² + Tr(Σ_s + Σ_r − 2(Σ_s Σ_r)^{1/2}) in judge-feature space. */
  frechetDistance: number;
  /** Its two terms: the means' and the covariances'. */
  frechetMeanTerm: number;
  frechetCovTerm: number;
  diversity: Diversity;
  /** Sampling plus judging, wall clock. */
  seconds: number;
  secondsPerImage: number;
  /** The first keepImages samples (NHWC, [−1, 1]) and their labels. */
  images: Float32Array;
  labels: Int32Array;
}

export interface GuidanceEvaluation {
  results: ScaleResult[];
  guidanceConvention: string;
  settings: {
    sampler: SamplerKind;
    /** DDPM only. */
    variance?: ReverseVariance;
    steps: number;
    eta: number;
    clipX0: boolean;
    seed: number;
    samplesPerScale: number;
    batch: number;
    numClasses: number;
    featureDim: number;
    reference: { dataset: string; split: string; count: number };
    /** What `guidanceScale` of each result is: the classifier-free or the classifier scale. */
    guidanceMethod: GuidanceMethod;
    /** The fixed classifier-free scale under `both`; null otherwise. */
    cfgScale: number | null;
  };
}

function checkOptions(o: EvaluateGuidanceOptions): void {
  const k = o.judge.config.numClasses;
  const { numClasses } = o.unet.config;
  const { imageSize, inChannels } = o.decode ?? o.unet.config;
  const j = o.judge.config;
  if (numClasses !== k) {
    throw new RangeError(
      `the model has ${numClasses} classes but the judge ${k}: guidance needs a class-conditional ` +
        'model of the judge’s data set',
    );
  }
  if (imageSize !== j.imageSize || inChannels !== j.inChannels) {
    throw new RangeError(
      `the model makes ${imageSize}x${imageSize}x${inChannels} images, the judge takes ` +
        `${j.imageSize}x${j.imageSize}x${j.inChannels}`,
    );
  }
  if (o.reference.featureDim !== j.featureDim || o.reference.numClasses !== k) {
    throw new RangeError('the reference statistics belong to another judge');
  }
  if (!Number.isInteger(o.samplesPerScale) || o.samplesPerScale < 2 * k) {
    throw new RangeError(
      `samplesPerScale must be an integer >= ${2 * k} (two per class; got ${o.samplesPerScale})`,
    );
  }
  if (o.scales.length === 0 || !o.scales.every(Number.isFinite)) {
    throw new RangeError('scales must be one or more finite numbers');
  }
  const method = o.guidanceMethod ?? 'classifier-free';
  if (usesClassifier(method)) {
    if (!o.classifier) throw new RangeError(`guidance method ${method} needs a noisy classifier`);
    if (o.classifier.config.numClasses !== k) {
      throw new RangeError(
        `the classifier has ${o.classifier.config.numClasses} classes, the judge ${k}`,
      );
    }
    if (!o.scales.every((s) => s >= 0)) throw new RangeError('classifier scales must be >= 0');
  }
}

/** Class-balanced labels: image i asks for class i mod k. */
export function balancedLabels(n: number, k: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i % k);
}

/** Samples and scores each guidance scale in turn (see the file comment). */
export async function evaluateGuidance(o: EvaluateGuidanceOptions): Promise<GuidanceEvaluation> {
  checkOptions(o);
  const { unet, schedule, judge, reference, scales, samplesPerScale: n } = o;
  const k = judge.config.numClasses;
  const d = judge.config.featureDim;
  const sampler = o.sampler ?? 'ddim';
  const steps =
    o.steps ?? (sampler === 'ddpm' ? schedule.T : Math.min(DEFAULT_DDIM_STEPS, schedule.T));
  const eta = o.eta ?? 0;
  const ddpm = sampler === 'ddpm' ? { variance: o.variance ?? 'beta' } : {};
  const clipX0 = o.clipX0 ?? true;
  const seed = o.seed ?? 0;
  const batch = o.batch ?? DEFAULT_EVALUATION_BATCH;
  const keep = Math.min(o.keepImages ?? 0, n);
  const labels = balancedLabels(n, k);
  const real = referenceGaussian(reference);
  const perImage = judge.config.imageSize ** 2 * judge.config.inChannels;
  const results: ScaleResult[] = [];
  const method = o.guidanceMethod ?? 'classifier-free';
  const cfgScale = method === 'both' ? (o.cfgScale ?? 1) : null;
  const asked = Array.from(labels);
  const guidance = (s: number) =>
    o.classifier && usesClassifier(method)
      ? {
          ...modelConditioning(method, asked, cfgScale ?? 1),
          classifierGuidance: { classifier: o.classifier, classes: asked, scale: s },
        }
      : { classes: asked, guidanceScale: s };
  for (const [scaleIndex, s] of scales.entries()) {
    o.signal?.throwIfAborted();
    const started = performance.now();
    const sampled = await sampleImages(unet, schedule, {
      n,
      sampler,
      steps,
      eta: sampler === 'ddim' ? eta : undefined,
      snr: o.snr,
      langevinSteps: o.langevinSteps,
      ...ddpm,
      clipX0,
      seed,
      ...guidance(s),
      batch,
      signal: o.signal,
      peers: o.peers,
      onProgress: (p) =>
        o.onProgress?.({
          scaleIndex,
          guidanceScale: s,
          imagesDone: p.imagesDone,
          samplesPerScale: n,
          stepsDone: p.stepsDone,
          totalSteps: p.totalSteps,
          fraction:
            (scaleIndex +
              (p.imagesDone + (Math.min(batch, n - p.imagesDone) * p.stepsDone) / p.totalSteps) /
                n) /
            scales.length,
        }),
    });
    const x = o.decode ? await o.decode.decode(sampled, n) : sampled;
    const out = await judgeImages(judge, x, n);
    const fd = frechetParts(featureStats(out.features, n, d), real);
    const seconds = (performance.now() - started) / 1000;
    const result: ScaleResult = {
      guidanceScale: s,
      samples: n,
      accuracy: classAccuracy(argmaxRows(out.logits, n, k), labels, k),
      frechetDistance: fd.distance,
      frechetMeanTerm: fd.meanTerm,
      frechetCovTerm: fd.covTerm,
      diversity: diversityRatio(
        perClassPairwiseDistance(out.features, d, labels, k),
        reference.perClassPairwiseDistance,
      ),
      seconds,
      secondsPerImage: seconds / n,
      images: x.slice(0, keep * perImage),
      labels: labels.slice(0, keep),
    };
    results.push(result);
    await o.onScale?.(result);
  }
  return {
    results,
    guidanceConvention: GUIDANCE_CONVENTION,
    settings: {
      sampler,
      ...ddpm,
      steps,
      eta,
      clipX0,
      seed,
      samplesPerScale: n,
      batch,
      numClasses: k,
      featureDim: d,
      reference: { dataset: reference.dataset, split: reference.split, count: reference.count },
      guidanceMethod: method,
      cfgScale,
    },
  };
}
