// The judge's files (models/mnist-classifier/), version 1:
//
//   model.json           tfjs's model.json layout (a `weightsManifest` that tf.io.decodeWeights
//                        reads) plus the classifier config, provenance and measured accuracy:
//     { "format": "diffusion-playground-classifier", "formatVersion": 1,
//       "classifierConfig": { "imageSize": 28, "inChannels": 1, "numClasses": 10,
//                             "channels": [32, 64], "featureDim": 64 },
//       "dataset": "mnist", "classNames": ["0", ..., "9"], "createdAt": "...",
//       "training": { "epochs": 4, "steps": 3752, "batch": 64, "learningRate": 0.002, ... },
//       "testAccuracy": { "overall": 0.993, "perClass": [...], "count": 10000 },
//       "weightsCrc32": "1a2b3c4d", "weightsManifest": [{ "paths": ["weights.bin"], ... }] }
//   weights.bin          float32 little-endian, manifest order (the U-Net checkpoint's encoding)
//   reference-stats.json the Fréchet reference: mean and covariance (float64) of the judge's
//                        features over the whole test split, and the per-class mean pairwise
//                        feature distance of real images (the diversity baseline)
import type { CheckpointWeightsGroup } from '../checkpoint/types';
import type { ClassifierConfig } from '../../model/classifier';
import type { DatasetName } from '../../model/presets';

export const CLASSIFIER_FORMAT = 'diffusion-playground-classifier';
export const CLASSIFIER_FORMAT_VERSION = 1;
export const REFERENCE_STATS_FORMAT = 'diffusion-playground-reference-stats';
export const REFERENCE_STATS_FORMAT_VERSION = 1;
export const REFERENCE_STATS_FILE = 'reference-stats.json';

/** How the judge was trained; shown to users, never needed to use it. */
export interface ClassifierProvenance {
  epochs: number;
  steps: number;
  batch: number;
  learningRate: number;
  warmupSteps: number;
  maxShift: number;
  dropout: number;
  /** Random horizontal flips (absent: none). */
  flip?: boolean;
  /** Label smoothing ε (absent: none). */
  labelSmoothing?: number;
  /** The wall-clock budget the schedule followed (absent: none); `steps` says how far it got. */
  timeBudgetSeconds?: number;
  /** Training images the batch norms' population statistics were measured on. */
  calibrationImages?: number;
  seed: number;
  /** Training images used (the whole train split unless limited). */
  trainImages: number;
  wallTimeSeconds: number;
  command?: string;
  gitCommit?: string;
  machine?: string;
}

/** Accuracy on the test split, measured after training. */
export interface MeasuredAccuracy {
  overall: number;
  /** Per true class; null for a class absent from the measured images. */
  perClass: (number | null)[];
  /** Test images measured. */
  count: number;
}

/** What the caller supplies when saving; the rest of model.json is derived. */
export interface ClassifierMeta {
  classifierConfig: ClassifierConfig;
  dataset: DatasetName;
  classNames: string[];
  createdAt?: string;
  training?: ClassifierProvenance;
  testAccuracy?: MeasuredAccuracy;
}

/** A validated model.json of a judge. */
export interface ClassifierManifest extends Omit<ClassifierMeta, 'createdAt'> {
  format: typeof CLASSIFIER_FORMAT;
  formatVersion: typeof CLASSIFIER_FORMAT_VERSION;
  createdAt: string;
  weightsCrc32?: string;
  weightsManifest: CheckpointWeightsGroup[];
}

export interface DecodedClassifier {
  manifest: ClassifierManifest;
  values: ReadonlyMap<string, Float32Array>;
}

/** The Fréchet reference and the diversity baseline, as stored in reference-stats.json. */
export interface ReferenceStats {
  format: typeof REFERENCE_STATS_FORMAT;
  formatVersion: typeof REFERENCE_STATS_FORMAT_VERSION;
  dataset: DatasetName;
  split: 'train' | 'test';
  /** Images the statistics were computed over. */
  count: number;
  featureDim: number;
  numClasses: number;
  /** weightsCrc32 of the judge whose features these are. */
  judgeWeightsCrc32: string;
  /** [featureDim] */
  mean: number[];
  /** [featureDim][featureDim], unbiased. */
  cov: number[][];
  /** Mean pairwise L2 feature distance between real images of each class. */
  perClassPairwiseDistance: (number | null)[];
  perClassCount: number[];
}

/** The three files as read from disk or fetched, not yet validated. */
export interface RawJudge {
  modelJson: unknown;
  weights: ArrayBuffer;
  referenceStats: unknown;
}

/** The three files as written. */
export interface EncodedJudge {
  modelJson: ClassifierManifest;
  weights: ArrayBuffer;
  referenceStats: ReferenceStats;
}
