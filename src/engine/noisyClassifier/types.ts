// The noisy classifier's files (models/mnist-noisy-classifier/), version 1:
//
//   model.json   tfjs's model.json layout (a `weightsManifest`) plus:
//     { "format": "diffusion-playground-noisy-classifier", "formatVersion": 1,
//       "noisyClassifierConfig": { "imageSize": 28, "inChannels": 1, "numClasses": 10,
//                                  "channels": [16, 32], "timeEmbedDim": 32 },
//       "schedule": { "kind": "linear", "T": 1000, "scaled": false },
//       "dataset": "mnist", "classNames": [...], "createdAt": "...",
//       "training": { ...provenance }, "accuracyByT": [{ "tFrom": 0, "tTo": 100, ... }],
//       "weightsCrc32": "...", "weightsManifest": [...] }
//   weights.bin  float32 little-endian, manifest order (the U-Net checkpoint's encoding)
// The schedule is the one x_t was noised with: a diffusion model guided by this classifier
// must use the same one (checked when guidance starts).
import type { ScheduleKind } from '../../diffusion/schedule';
import type { NoisyClassifierConfig } from '../../model/noisyClassifier';
import type { DatasetName } from '../../model/presets';
import type { CheckpointWeightsGroup } from '../checkpoint/types';

export const NOISY_CLASSIFIER_FORMAT = 'diffusion-playground-noisy-classifier';
export const NOISY_CLASSIFIER_FORMAT_VERSION = 1;

export interface NoisyScheduleInfo {
  kind: ScheduleKind;
  T: number;
  scaled: boolean;
}

/** Accuracy on test images noised at t in [tFrom, tTo). */
export interface BucketAccuracy {
  tFrom: number;
  tTo: number;
  accuracy: number;
  count: number;
}

export interface NoisyClassifierProvenance {
  epochs: number;
  steps: number;
  batch: number;
  learningRate: number;
  warmupSteps: number;
  seed: number;
  trainImages: number;
  wallTimeSeconds: number;
  command?: string;
  gitCommit?: string;
  machine?: string;
}

export interface NoisyClassifierMeta {
  noisyClassifierConfig: NoisyClassifierConfig;
  schedule: NoisyScheduleInfo;
  dataset: DatasetName;
  classNames: string[];
  createdAt?: string;
  training?: NoisyClassifierProvenance;
  accuracyByT?: BucketAccuracy[];
}

export interface NoisyClassifierManifest extends Omit<NoisyClassifierMeta, 'createdAt'> {
  format: typeof NOISY_CLASSIFIER_FORMAT;
  formatVersion: typeof NOISY_CLASSIFIER_FORMAT_VERSION;
  createdAt: string;
  weightsCrc32?: string;
  weightsManifest: CheckpointWeightsGroup[];
}

export interface DecodedNoisyClassifier {
  manifest: NoisyClassifierManifest;
  values: ReadonlyMap<string, Float32Array>;
}
