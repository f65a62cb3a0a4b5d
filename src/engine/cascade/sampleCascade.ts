// Sampling a cascade (Ho et al. 2021, Sec. 2, Alg. 1–2 of a pipeline): the base model samples
// low-resolution images (classifier-free guidance as for the pixel models), each is augmented at
// the sampling-time level (CDM Sec. 4: noise level s, or blur σ; non-truncated: the finished base
// sample is noised), upsampled, and the super-resolution model samples the full-resolution image
// conditioned on it. Both stages use the same sampler options (sampler, steps, η, clipping).
import * as tf from '@tensorflow/tfjs';
import {
  augLevelIndex,
  validateAugLevel,
  type AugmentationKind,
} from '../../diffusion/conditioningAugmentation';
import type { Schedule } from '../../diffusion/schedule';
import type { CondInputs, UNet } from '../../model/unet';
import { deriveSeed } from '../../random/seeded';
import type { EpsModel } from '../sampling/eps';
import { sampleImages, type SampleImagesOptions } from '../sampling/sampleImages';
import { augmentedCondition } from './conditioning';
import type { SrStage } from './cascade';

/** Seed purposes of cascade sampling (beside STREAM in random/seeded.ts and the training ones). */
export const CASCADE_SAMPLE_STREAM = { srSampling: 42, augNoise: 43 } as const;

/** An ε-model view of an SR stage with its conditioning inputs fixed (batch = cond's batch). */
export function conditionedEpsModel(unet: UNet, cond: CondInputs): EpsModel {
  return {
    config: unet.config,
    apply: (x, t, y, opts) => unet.apply(x, t, y, { ...(opts ?? { training: false }), cond }),
  };
}

/** The value augmentedCondition takes for a sampling-time level: s for noise, σ for blur. */
export function augValueAt(kind: AugmentationKind, level: number, T: number): number {
  validateAugLevel(kind, level);
  return kind === 'noise' ? augLevelIndex(level, T) : kind === 'blur' ? level : 0;
}

export type StageSamplingOptions = Omit<SampleImagesOptions, 'classes' | 'guidanceScale'>;

export interface SrResult {
  /** The augmented low-res images upsampled, [n, H, W, C]: what the SR model is conditioned on. */
  cond: Float32Array;
  /** The super-resolved images [n, H, W, C] in [−1, 1]. */
  x: Float32Array;
}

/**
 * Super-resolves n low-res images `low` ([n, h, w, C], [−1, 1]) with one SR stage at the sampling
 * level `augLevel` (noise a ∈ [0, 1], blur σ). Batches of opts.batch (default 64); batch k's noises
 * derive from (seed, k).
 */
export async function superResolve(
  stage: SrStage,
  schedule: Schedule,
  low: Float32Array,
  augLevel: number,
  opts: StageSamplingOptions,
): Promise<SrResult> {
  const { imageSize: size, inChannels: c } = stage.unet.config;
  const h = size / stage.info.factor;
  const n = opts.n;
  if (low.length !== n * h * h * c) {
    throw new RangeError(`superResolve: expected ${n} low-res images of ${h}x${h}x${c}`);
  }
  const value = augValueAt(stage.info.augmentation, augLevel, schedule.T);
  const batch = opts.batch ?? 64;
  const per = size * size * c;
  const cond = new Float32Array(n * per);
  const x = new Float32Array(n * per);
  for (let start = 0, k = 0; start < n; start += batch, k++) {
    const m = Math.min(batch, n - start);
    const xLow = tf.tensor4d(low.subarray(start * h * h * c, (start + m) * h * h * c), [
      m,
      h,
      h,
      c,
    ]);
    let inputs: ReturnType<typeof augmentedCondition>;
    try {
      inputs = augmentedCondition(
        xLow,
        stage.info.augmentation,
        new Array<number>(m).fill(value),
        size,
        schedule,
        deriveSeed(opts.seed, CASCADE_SAMPLE_STREAM.augNoise, k),
      );
    } finally {
      xLow.dispose();
    }
    try {
      cond.set(await inputs.image.data(), start * per);
      const model = conditionedEpsModel(stage.unet, {
        image: inputs.image,
        ...(inputs.augLevel ? { augLevel: inputs.augLevel } : {}),
      });
      const out = await sampleImages(model, schedule, {
        ...opts,
        n: m,
        batch: m,
        classes: null,
        guidanceScale: 1,
        seed: deriveSeed(opts.seed, CASCADE_SAMPLE_STREAM.srSampling, k),
        onProgress: opts.onProgress,
      });
      x.set(out, start * per);
    } finally {
      tf.dispose([inputs.low, inputs.image, inputs.augLevel ?? []].flat());
    }
  }
  return { cond, x };
}

export interface CascadeSampleOptions extends StageSamplingOptions {
  /** One label per image, or null (the null class: unconditional). */
  classes: readonly number[] | null;
  guidanceScale: number;
  /** Sampling-time augmentation level of the SR stage (noise a ∈ [0, 1], blur σ; none: 0). */
  augLevel: number;
}

export interface CascadeSamples extends SrResult {
  /** The base model's samples [n, h, w, C] in [−1, 1]. */
  low: Float32Array;
}

/** The whole pipeline for n images: base → augment → upsample → SR. */
export async function sampleCascade(
  base: UNet,
  sr: SrStage,
  schedule: Schedule,
  opts: CascadeSampleOptions,
): Promise<CascadeSamples> {
  const { augLevel, classes, guidanceScale, ...stageOpts } = opts;
  validateAugLevel(sr.info.augmentation, augLevel);
  const low = await sampleImages(base, schedule, { ...stageOpts, classes, guidanceScale });
  const result = await superResolve(sr, schedule, low, augLevel, stageOpts);
  return { low, ...result };
}
