// A judge <-> its model.json + weights.bin, with the U-Net checkpoint's weight encoding, CRC-32
// and NaN/Inf checks. Decoding validates everything on plain arrays before any tensor exists.
import { Classifier, classifierParamSpecs } from '../../model/classifier';
import { encodeParamsFiles, paramsFromDecoded } from '../checkpoint/paramsFiles';
import { decodeWeights } from '../checkpoint/serialize';
import { validateClassifierManifest } from './manifest';
import {
  CLASSIFIER_FORMAT,
  CLASSIFIER_FORMAT_VERSION,
  type ClassifierManifest,
  type ClassifierMeta,
  type DecodedClassifier,
} from './types';

/** Reads every parameter (`await data()`) into model.json + weights.bin (float32). */
export async function encodeClassifier(
  classifier: Classifier,
  meta: ClassifierMeta,
): Promise<{ modelJson: ClassifierManifest; weights: ArrayBuffer }> {
  const fields = {
    ...meta,
    format: CLASSIFIER_FORMAT,
    formatVersion: CLASSIFIER_FORMAT_VERSION,
    createdAt: meta.createdAt ?? new Date().toISOString(),
  };
  return encodeParamsFiles(classifier.params, fields, validateClassifierManifest);
}

/** Validates model.json and weights.bin completely; throws a CheckpointError, creates no tensors. */
export function decodeClassifier(
  modelJson: unknown,
  weights: ArrayBuffer | ArrayBufferView,
): DecodedClassifier {
  const manifest = validateClassifierManifest(modelJson);
  return { manifest, values: decodeWeights(manifest, weights) };
}

/** A new Classifier holding the decoded weights. */
export function createClassifierFromCheckpoint(decoded: DecodedClassifier): Classifier {
  const config = decoded.manifest.classifierConfig;
  const specs = classifierParamSpecs(config);
  return new Classifier(config, paramsFromDecoded(specs, decoded.values, 'judge'));
}
