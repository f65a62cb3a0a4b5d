// A noisy classifier <-> its model.json + weights.bin, with the U-Net checkpoint's weight
// encoding, CRC-32 and NaN/Inf checks. Decoding validates everything before any tensor exists.
import { NoisyClassifier, noisyClassifierParamSpecs } from '../../model/noisyClassifier';
import { encodeParamsFiles, paramsFromDecoded } from '../checkpoint/paramsFiles';
import { decodeWeights } from '../checkpoint/serialize';
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
  const fields = {
    ...meta,
    format: NOISY_CLASSIFIER_FORMAT,
    formatVersion: NOISY_CLASSIFIER_FORMAT_VERSION,
    createdAt: meta.createdAt ?? new Date().toISOString(),
  };
  return encodeParamsFiles(classifier.params, fields, validateNoisyClassifierManifest);
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
  const specs = noisyClassifierParamSpecs(config);
  return new NoisyClassifier(config, paramsFromDecoded(specs, decoded.values, 'classifier'));
}
