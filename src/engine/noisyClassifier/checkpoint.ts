// A noisy classifier <-> its model.json + weights.bin, with the U-Net checkpoint's weight
// encoding, CRC-32 and NaN/Inf checks. Decoding validates everything before any tensor exists.
import * as tf from '@tensorflow/tfjs';
import { NoisyClassifier, noisyClassifierParamSpecs } from '../../model/noisyClassifier';
import { disposeParams, type Params } from '../../model/params';
import { crc32Hex } from '../checkpoint/crc32';
import { decodeWeights, encodeWeights } from '../checkpoint/serialize';
import { WEIGHTS_FILE, type CheckpointWeightEntry } from '../checkpoint/types';
import { weightEntries } from '../checkpoint/weightsManifest';
import { validateNoisyClassifierManifest } from './manifest';
import {
  NOISY_CLASSIFIER_FORMAT,
  NOISY_CLASSIFIER_FORMAT_VERSION,
  type DecodedNoisyClassifier,
  type NoisyClassifierManifest,
  type NoisyClassifierMeta,
} from './types';

/** Reads every parameter (`await data()`) into model.json + weights.bin (float32). */
export async function encodeNoisyClassifier(
  classifier: NoisyClassifier,
  meta: NoisyClassifierMeta,
): Promise<{ modelJson: NoisyClassifierManifest; weights: ArrayBuffer }> {
  const weights: CheckpointWeightEntry[] = [...classifier.params].map(([name, v]) => ({
    name,
    shape: [...v.shape],
    dtype: 'float32',
  }));
  const manifest = validateNoisyClassifierManifest({
    ...meta,
    format: NOISY_CLASSIFIER_FORMAT,
    formatVersion: NOISY_CLASSIFIER_FORMAT_VERSION,
    createdAt: meta.createdAt ?? new Date().toISOString(),
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights }],
  });
  const out = await encodeWeights(classifier.params, weightEntries(manifest));
  manifest.weightsCrc32 = crc32Hex(out);
  return { modelJson: manifest, weights: out.buffer };
}

/** Validates model.json and weights.bin completely; throws a CheckpointError, creates no tensors. */
export function decodeNoisyClassifier(
  modelJson: unknown,
  weights: ArrayBuffer | ArrayBufferView,
): DecodedNoisyClassifier {
  const manifest = validateNoisyClassifierManifest(modelJson);
  return { manifest, values: decodeWeights(manifest, weights) };
}

/** A new NoisyClassifier holding the decoded weights. */
export function createNoisyClassifier(decoded: DecodedNoisyClassifier): NoisyClassifier {
  const config = decoded.manifest.noisyClassifierConfig;
  const params: Params = new Map();
  try {
    for (const { name, shape } of noisyClassifierParamSpecs(config)) {
      const values = decoded.values.get(name);
      if (!values) throw new Error(`internal: decoded classifier lacks weight ${name}`);
      params.set(
        name,
        tf.tidy(() => tf.variable(tf.tensor(values, shape, 'float32'), false)),
      );
    }
  } catch (e) {
    disposeParams(params);
    throw e;
  }
  return new NoisyClassifier(config, params);
}
