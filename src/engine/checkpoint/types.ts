// The checkpoint format, version 1. A checkpoint is two files (or both packed into one, pack.ts):
//
//   model.json   tfjs's model.json layout (a `weightsManifest` that tf.io.decodeWeights reads)
//                plus our own fields describing the model, its schedule and its training.
//   weights.bin  every weight, in manifest order, concatenated, little-endian, no padding:
//                float32, or float16 where the entry says `quantization: {dtype: 'float16'}`
//                (tfjs's own float16 encoding; the entry's dtype stays 'float32').
//
// Example model.json:
//   { "format": "diffusion-playground-checkpoint", "formatVersion": 1,
//     "modelConfig": { "imageSize": 28, "inChannels": 1, "baseChannels": 8, ... },
//     "schedule": { "kind": "linear", "T": 1000, "scaled": false },
//     "dataset": "mnist", "classNames": ["0", ..., "9"], "trainingSteps": 12000, "ema": true,
//     "createdAt": "2026-11-26T08:30:22.000Z",
//     "training": { "batch": 64, "learningRate": 0.0002, "pUncond": 0.1, "seed": 1,
//                   "wallTimeSeconds": 512.5, "command": "npm run cli -- train ..." },
//     "weightsCrc32": "1a2b3c4d",
//     "weightsManifest": [{ "paths": ["weights.bin"], "weights": [
//       { "name": "temb.dense0.w", "shape": [8, 32], "dtype": "float32" }, ... ] }] }
import type { ScheduleKind, ScheduleOptions } from '../../diffusion/schedule';
import type { UNetConfig } from '../../model/config';
import type { DatasetName } from '../../model/presets';

export const CHECKPOINT_FORMAT = 'diffusion-playground-checkpoint';
export const CHECKPOINT_FORMAT_VERSION = 1;
export const MODEL_JSON_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';

/** How weights are stored in weights.bin; always float32 in memory. */
export type WeightStorage = 'float32' | 'float16';

/** A tf.io.WeightsManifestEntry restricted to what we write and read. */
export interface CheckpointWeightEntry {
  name: string;
  shape: number[];
  dtype: 'float32';
  quantization?: { dtype: 'float16' };
}

/** A tf.io.WeightsManifestGroupConfig; we always write exactly one, with paths [WEIGHTS_FILE]. */
export interface CheckpointWeightsGroup {
  paths: string[];
  weights: CheckpointWeightEntry[];
}

export interface CheckpointSchedule {
  kind: ScheduleKind;
  T: number;
  scaled: boolean;
}

/** Free provenance of a training run; shown to users, never needed to use the model. */
export interface TrainingProvenance {
  batch: number;
  learningRate: number;
  /** Probability of dropping the label (classifier-free guidance training). */
  pUncond: number;
  seed: number;
  wallTimeSeconds: number;
  command?: string;
  gitCommit?: string;
  machine?: string;
}

/** What the caller supplies when saving; the rest of the manifest is derived. */
export interface CheckpointMeta {
  modelConfig: UNetConfig;
  schedule: ScheduleOptions;
  dataset: DatasetName;
  /** Label names, one per class when modelConfig.numClasses > 0. */
  classNames: string[];
  trainingSteps: number;
  /** Whether the weights are the exponential moving average rather than the raw weights. */
  ema: boolean;
  /** ISO 8601; defaults to the time of saving. */
  createdAt?: string;
  training?: TrainingProvenance;
  /**
   * Latent diffusion (Rombach et al. 2022): the model denoises an autoencoder's latents of this
   * [h, w, c] shape (its modelConfig takes them), not the data set's images; the autoencoder is
   * beside it (src/engine/latent/latentIndex.ts). Absent for pixel-space models.
   */
  latentShape?: [number, number, number];
}

/** A validated model.json. */
export interface CheckpointManifest extends Omit<CheckpointMeta, 'schedule' | 'createdAt'> {
  format: typeof CHECKPOINT_FORMAT;
  formatVersion: typeof CHECKPOINT_FORMAT_VERSION;
  schedule: CheckpointSchedule;
  createdAt: string;
  /** CRC-32 of weights.bin as 8 hex digits; always written, checked when present. */
  weightsCrc32?: string;
  weightsManifest: CheckpointWeightsGroup[];
}

/** Both files of a checkpoint in memory, as produced by encodeCheckpoint. */
export interface EncodedCheckpoint {
  modelJson: CheckpointManifest;
  weights: ArrayBuffer;
}

/** Both files as read from storage or an upload, not yet validated. */
export interface RawCheckpoint {
  modelJson: unknown;
  weights: ArrayBuffer;
}

/** A fully validated checkpoint: every weight present, of the right shape, finite. */
export interface DecodedCheckpoint {
  manifest: CheckpointManifest;
  /** Weight values by parameter name (float32, row-major); treat as read-only. */
  values: ReadonlyMap<string, Float32Array>;
}
