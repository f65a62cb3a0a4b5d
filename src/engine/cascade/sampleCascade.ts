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
import { batchSeed, sampleImages, type SampleImagesOptions } from '../sampling/sampleImages';
import { SamplingSession } from '../sampling/session';
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
  /** Truncated augmentation: `low` already is z_s at this timestep index s; no fresh noise. */
  truncatedAt?: number,
): Promise<SrResult> {
  const { imageSize: size, inChannels: c } = stage.unet.config;
  const h = size / stage.info.factor;
  const n = opts.n;
  if (low.length !== n * h * h * c) {
    throw new RangeError(`superResolve: expected ${n} low-res images of ${h}x${h}x${c}`);
  }
  if (truncatedAt !== undefined && stage.info.augmentation !== 'noise') {
    throw new RangeError(
      'truncated conditioning augmentation needs an SR model trained with noise',
    );
  }
  const value = truncatedAt ?? augValueAt(stage.info.augmentation, augLevel, schedule.T);
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
        truncatedAt === undefined ? stage.info.augmentation : 'none',
        new Array<number>(m).fill(value),
        size,
        schedule,
        deriveSeed(opts.seed, CASCADE_SAMPLE_STREAM.augNoise, k),
      );
    } finally {
      xLow.dispose();
    }
    if (truncatedAt !== undefined) {
      // z_s came from the base's own reverse process: the model is told its level s.
      inputs.augLevel?.dispose();
      inputs.augLevel = tf.fill([m], truncatedAt, 'int32') as tf.Tensor1D;
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
  /**
   * Truncated conditioning augmentation (CDM Sec. 4.2; noise only, DDPM or DDIM): the base's
   * reverse process stops at the first planned step with t ≤ s = round(a(T − 1)) and hands its
   * x_t over as z_t, instead of noising the finished sample (non-truncated, the default).
   */
  truncated?: boolean;
}

export interface CascadeSamples extends SrResult {
  /** The base model's samples [n, h, w, C] in [−1, 1] (truncated: its x_s at the handover). */
  low: Float32Array;
  /** The level s the SR stage was told: round(a(T − 1)), or the handover step's t (truncated). */
  levelUsed: number;
}

/**
 * The base's reverse process run until the first planned step whose t ≤ s: returns x before that
 * step (a sample of z_t) and t. Batches and seeds as sampleImages, so both modes share x_T.
 */
export async function truncatedBase(
  base: UNet,
  schedule: Schedule,
  opts: SampleImagesOptions,
  s: number,
): Promise<{ z: Float32Array; t: number }> {
  if (opts.sampler !== 'ddim' && opts.sampler !== 'ddpm') {
    throw new RangeError('truncated augmentation works with the ddpm and ddim samplers');
  }
  const { imageSize: h, inChannels: c } = base.config;
  const batch = opts.batch ?? 64;
  const z = new Float32Array(opts.n * h * h * c);
  let t = -1;
  for (let start = 0, k = 0; start < opts.n; start += batch, k++) {
    const m = Math.min(batch, opts.n - start);
    const classes = opts.classes === null ? null : opts.classes.slice(start, start + m);
    const { batch: _b, signal: _s, onProgress: _p, classifierGuidance: _c, ...rest } = opts;
    const session = new SamplingSession(base, schedule, {
      ...rest,
      n: m,
      seed: batchSeed(opts.seed, k),
      classes,
    });
    try {
      let index = 0;
      while (session.planStep(index).modelT > s) index++;
      t = session.planStep(index).modelT;
      if (index > 0) await session.advance(index);
      z.set((await session.current()).x, start * h * h * c);
    } finally {
      session.dispose();
    }
  }
  return { z, t };
}

/** The whole pipeline for n images: base → augment → upsample → SR. */
export async function sampleCascade(
  base: UNet,
  sr: SrStage,
  schedule: Schedule,
  opts: CascadeSampleOptions,
): Promise<CascadeSamples> {
  const { augLevel, classes, guidanceScale, truncated = false, ...stageOpts } = opts;
  validateAugLevel(sr.info.augmentation, augLevel);
  if (truncated) {
    if (sr.info.augmentation !== 'noise') {
      throw new RangeError('truncated augmentation needs an SR model trained with noise');
    }
    const s = augValueAt('noise', augLevel, schedule.T);
    const { z, t } = await truncatedBase(
      base,
      schedule,
      { ...stageOpts, classes, guidanceScale },
      s,
    );
    const result = await superResolve(sr, schedule, z, augLevel, stageOpts, t);
    return { low: z, ...result, levelUsed: t };
  }
  const low = await sampleImages(base, schedule, { ...stageOpts, classes, guidanceScale });
  const result = await superResolve(sr, schedule, low, augLevel, stageOpts);
  return {
    low,
    ...result,
    levelUsed: augValueAt(sr.info.augmentation, augLevel, schedule.T),
  };
}
