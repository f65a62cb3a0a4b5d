// The autoencoder's files (models/<name>/autoencoder/), version 1:
//
//   model.json   { "format": "diffusion-playground-autoencoder", "formatVersion": 1,
//                  "autoencoderConfig": { "imageSize": 28, "inChannels": 1, "channels": [16, 32],
//                                         "latentChannels": 4 },
//                  "dataset": "mnist", "klWeight": 1e-6,
//                  "scaleFactor": 0.8,            (LDM's 1 / std of the training latents)
//                  "testMse": 0.01, "testCount": 10000,   (per-pixel MSE of D(E(x)) on test)
//                  "training": { steps, batch, learningRate, seed, wallTimeSeconds, command, ... },
//                  "createdAt", "weightsCrc32", "weightsManifest": [...] }
//   weights.bin  float32 little-endian, manifest order (the U-Net checkpoint's encoding)
//
// Decoding validates everything on plain arrays before any tensor exists; each problem is a
// CheckpointError naming the field.
import * as tf from '@tensorflow/tfjs';
import {
  Autoencoder,
  autoencoderParamSpecs,
  validateAutoencoderConfig,
  type AutoencoderConfig,
} from '../../model/autoencoder';
import { disposeParams, type Params } from '../../model/params';
import { DATASETS, type DatasetName } from '../../model/presets';
import { crc32Hex } from '../checkpoint/crc32';
import { CheckpointError, messageOf } from '../checkpoint/errors';
import { isJsonObject, JsonReader, show } from '../checkpoint/jsonReader';
import { decodeWeights, encodeWeights } from '../checkpoint/serialize';
import { WEIGHTS_FILE, type CheckpointWeightsGroup } from '../checkpoint/types';
import {
  checkWeightsMatchSpecs,
  readWeightsManifest,
  weightEntries,
} from '../checkpoint/weightsManifest';

export const AUTOENCODER_FORMAT = 'diffusion-playground-autoencoder';
export const AUTOENCODER_FORMAT_VERSION = 1;

export interface AutoencoderProvenance {
  steps: number;
  batch: number;
  learningRate: number;
  seed: number;
  wallTimeSeconds: number;
  command?: string;
  gitCommit?: string;
  machine?: string;
}

export interface AutoencoderMeta {
  autoencoderConfig: AutoencoderConfig;
  dataset: DatasetName;
  klWeight: number;
  scaleFactor: number;
  testMse?: number;
  testCount?: number;
  training?: AutoencoderProvenance;
  createdAt?: string;
}

export interface AutoencoderManifest extends AutoencoderMeta {
  format: typeof AUTOENCODER_FORMAT;
  formatVersion: typeof AUTOENCODER_FORMAT_VERSION;
  createdAt: string;
  weightsCrc32?: string;
  weightsManifest: CheckpointWeightsGroup[];
}

export interface DecodedAutoencoder {
  manifest: AutoencoderManifest;
  values: Map<string, Float32Array>;
}

function readConfig(r: JsonReader): AutoencoderConfig {
  const c = r.object('autoencoderConfig');
  const channels = c.intArray('channels', { min: 1, max: 4096 });
  if (channels.length !== 2) c.fail('channels', 'two integers');
  const config: AutoencoderConfig = {
    imageSize: c.int('imageSize', { min: 4, max: 1024 }),
    inChannels: c.int('inChannels', { min: 1, max: 4 }),
    channels: [channels[0], channels[1]],
    latentChannels: c.int('latentChannels', { min: 1, max: 64 }),
  };
  try {
    validateAutoencoderConfig(config);
  } catch (e) {
    throw new CheckpointError('config', `autoencoderConfig is invalid: ${messageOf(e)}`);
  }
  return config;
}

function readTraining(r: JsonReader): AutoencoderProvenance | undefined {
  if (!r.has('training')) return undefined;
  const t = r.object('training');
  const out: AutoencoderProvenance = {
    steps: t.int('steps', { min: 0 }),
    batch: t.int('batch', { min: 1 }),
    learningRate: t.number('learningRate', 0),
    seed: t.int('seed'),
    wallTimeSeconds: t.number('wallTimeSeconds', 0),
  };
  for (const key of ['command', 'gitCommit', 'machine'] as const) {
    const v = t.optional(key, (k) => t.string(k));
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/** Checks every field of an autoencoder's model.json, weight names and shapes included. */
export function validateAutoencoderManifest(json: unknown): AutoencoderManifest {
  if (!isJsonObject(json)) {
    throw new CheckpointError('format', `model.json must be a JSON object, got ${show(json)}`);
  }
  const r = new JsonReader(json);
  const format = r.has('format') ? r.raw('format') : undefined;
  if (format !== AUTOENCODER_FORMAT) {
    throw new CheckpointError(
      'format',
      `model.json format is ${show(format)}, expected "${AUTOENCODER_FORMAT}" (an autoencoder)`,
    );
  }
  const version = r.raw('formatVersion');
  if (version !== AUTOENCODER_FORMAT_VERSION) {
    throw new CheckpointError(
      'version',
      `autoencoder formatVersion ${show(version)} is not supported (this app reads version ${AUTOENCODER_FORMAT_VERSION})`,
    );
  }
  const autoencoderConfig = readConfig(r);
  const dataset = r.raw('dataset');
  if (!DATASETS.includes(dataset as DatasetName)) {
    r.fail('dataset', `one of ${DATASETS.map((d) => `"${d}"`).join(', ')}`);
  }
  const createdAt = r.string('createdAt');
  if (Number.isNaN(Date.parse(createdAt))) r.fail('createdAt', 'an ISO 8601 date');
  const manifest: AutoencoderManifest = {
    format: AUTOENCODER_FORMAT,
    formatVersion: AUTOENCODER_FORMAT_VERSION,
    autoencoderConfig,
    dataset: dataset as DatasetName,
    klWeight: r.number('klWeight', 0, 1),
    scaleFactor: r.number('scaleFactor', 1e-6, 1e6),
    createdAt,
    weightsManifest: readWeightsManifest(r.raw('weightsManifest')),
  };
  const mse = r.optional('testMse', (k) => r.number(k, 0));
  if (mse !== undefined) manifest.testMse = mse;
  const count = r.optional('testCount', (k) => r.int(k, { min: 1 }));
  if (count !== undefined) manifest.testCount = count;
  const training = readTraining(r);
  if (training) manifest.training = training;
  const crc = r.optional('weightsCrc32', (k) => r.string(k));
  if (crc !== undefined) {
    if (!/^[0-9a-f]{8}$/.test(crc)) r.fail('weightsCrc32', '8 lowercase hex digits');
    manifest.weightsCrc32 = crc;
  }
  checkWeightsMatchSpecs(weightEntries(manifest), autoencoderParamSpecs(autoencoderConfig));
  return manifest;
}

/** Reads every parameter (`await data()`) into model.json + weights.bin (float32). */
export async function encodeAutoencoder(
  ae: Autoencoder,
  meta: AutoencoderMeta,
): Promise<{ modelJson: AutoencoderManifest; weights: ArrayBuffer }> {
  const weights = [...ae.params].map(([name, v]) => ({
    name,
    shape: [...v.shape],
    dtype: 'float32' as const,
  }));
  const manifest = validateAutoencoderManifest({
    ...meta,
    format: AUTOENCODER_FORMAT,
    formatVersion: AUTOENCODER_FORMAT_VERSION,
    createdAt: meta.createdAt ?? new Date().toISOString(),
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights }],
  });
  const out = await encodeWeights(ae.params, weightEntries(manifest));
  manifest.weightsCrc32 = crc32Hex(out);
  return { modelJson: manifest, weights: out.buffer };
}

/** Validates model.json and weights.bin completely; throws a CheckpointError, creates no tensors. */
export function decodeAutoencoder(
  modelJson: unknown,
  weights: ArrayBuffer | ArrayBufferView,
): DecodedAutoencoder {
  const manifest = validateAutoencoderManifest(modelJson);
  return { manifest, values: decodeWeights(manifest, weights) };
}

/** A new Autoencoder holding the decoded weights. */
export function createAutoencoderFromCheckpoint(decoded: DecodedAutoencoder): Autoencoder {
  const config = decoded.manifest.autoencoderConfig;
  const params: Params = new Map();
  try {
    for (const { name, shape } of autoencoderParamSpecs(config)) {
      const values = decoded.values.get(name);
      if (!values) throw new Error(`internal: decoded autoencoder lacks weight ${name}`);
      params.set(
        name,
        tf.tidy(() => tf.variable(tf.tensor(values, shape, 'float32'), false)),
      );
    }
  } catch (e) {
    disposeParams(params);
    throw e;
  }
  return new Autoencoder(config, params);
}
