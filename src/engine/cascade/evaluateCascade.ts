// The judge's view of a cascade (Ho et al. 2021): per guidance scale, the base model's 14×14
// samples are drawn once (class-balanced, the same noise at every scale) and scored three ways on
// the same low-res images: plainly upsampled (bilinear), super-resolved by the SR model trained
// with conditioning augmentation, and by the one trained without it. Accuracy, Fréchet distance and
// diversity are those of the guidance trade-off (evaluateGuidance.ts), so the numbers compare
// with the pixel model's at the same n.
import * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../../model/classifier';
import { argmaxRows, classAccuracy, type ClassAccuracy } from '../../metrics/accuracy';
import { diversityRatio, perClassPairwiseDistance, type Diversity } from '../../metrics/diversity';
import { featureStats } from '../../metrics/featureStats';
import { frechetParts } from '../../metrics/frechet';
import { judgeImages } from '../judge/outputs';
import { referenceGaussian } from '../judge/referenceStats';
import type { ReferenceStats } from '../judge/types';
import { balancedLabels } from '../evaluation/evaluateGuidance';
import { sampleImages } from '../sampling/sampleImages';
import type { Cascade } from './cascade';
import { upsample } from './conditioning';
import { superResolve, type StageSamplingOptions } from './sampleCascade';
import { defaultAugLevel } from './stage';

export type CascadeOutput = 'upsampled' | 'sr' | 'sr-noaug';

export interface CascadeScore {
  output: CascadeOutput;
  guidanceScale: number;
  /** The SR stage's sampling-time augmentation level (0 for upsampled and sr-noaug). */
  augLevel: number;
  samples: number;
  accuracy: ClassAccuracy;
  frechetDistance: number;
  diversity: Diversity;
  /** Sampling time of this output per image: base alone for upsampled, base + SR for the others. */
  secondsPerImage: number;
}

export interface EvaluateCascadeOptions extends Omit<StageSamplingOptions, 'n'> {
  cascade: Cascade;
  judge: Classifier;
  reference: ReferenceStats;
  scales: readonly number[];
  samplesPerScale: number;
  /** The SR-with-augmentation stage's sampling level (default: the stage's default). */
  augLevel?: number;
  onScore?: (s: CascadeScore) => void | Promise<void>;
}

/** Judge accuracy, Fréchet distance and diversity of n images x ([−1, 1], judge-sized). */
export async function scoreImages(
  judge: Classifier,
  reference: ReferenceStats,
  x: Float32Array,
  labels: Int32Array,
): Promise<{ accuracy: ClassAccuracy; frechetDistance: number; diversity: Diversity }> {
  const n = labels.length;
  const k = judge.config.numClasses;
  const d = judge.config.featureDim;
  const out = await judgeImages(judge, x, n);
  const fd = frechetParts(featureStats(out.features, n, d), referenceGaussian(reference));
  return {
    accuracy: classAccuracy(argmaxRows(out.logits, n, k), labels, k),
    frechetDistance: fd.distance,
    diversity: diversityRatio(
      perClassPairwiseDistance(out.features, d, labels, k),
      reference.perClassPairwiseDistance,
    ),
  };
}

/** Bilinear upsampling of n low-res images (the cascade without its SR stage). */
export async function upsampleImages(
  low: Float32Array,
  n: number,
  h: number,
  size: number,
  c: number,
): Promise<Float32Array> {
  const t = tf.tidy(() => upsample(tf.tensor4d(low, [n, h, h, c]), size));
  try {
    return await t.data<'float32'>();
  } finally {
    t.dispose();
  }
}

export async function evaluateCascade(o: EvaluateCascadeOptions): Promise<CascadeScore[]> {
  const { cascade, judge, reference, scales, samplesPerScale: n, onScore, ...stageOpts } = o;
  const k = judge.config.numClasses;
  const labels = balancedLabels(n, k);
  const asked = Array.from(labels);
  const { imageSize: h, inChannels: c } = cascade.base.config;
  const size = cascade.sr.unet.config.imageSize;
  const augLevel = o.augLevel ?? defaultAugLevel(cascade.sr.info.augmentation);
  const scores: CascadeScore[] = [];
  const push = async (s: CascadeScore) => {
    scores.push(s);
    await onScore?.(s);
  };
  for (const s of scales) {
    const t0 = performance.now();
    const low = await sampleImages(cascade.base, cascade.schedule, {
      ...stageOpts,
      n,
      classes: asked,
      guidanceScale: s,
    });
    const baseSeconds = (performance.now() - t0) / 1000;
    const up = await upsampleImages(low, n, h, size, c);
    await push({
      output: 'upsampled',
      guidanceScale: s,
      augLevel: 0,
      samples: n,
      ...(await scoreImages(judge, reference, up, labels)),
      secondsPerImage: baseSeconds / n,
    });
    const stages = [
      { output: 'sr' as const, stage: cascade.sr, level: augLevel },
      ...(cascade.srNoAug
        ? [{ output: 'sr-noaug' as const, stage: cascade.srNoAug, level: 0 }]
        : []),
    ];
    for (const { output, stage, level } of stages) {
      const t1 = performance.now();
      const { x } = await superResolve(stage, cascade.schedule, low, level, { ...stageOpts, n });
      const srSeconds = (performance.now() - t1) / 1000;
      await push({
        output,
        guidanceScale: s,
        augLevel: level,
        samples: n,
        ...(await scoreImages(judge, reference, x, labels)),
        secondsPerImage: (baseSeconds + srSeconds) / n,
      });
    }
  }
  return scores;
}
