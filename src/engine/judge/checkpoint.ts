// A judge <-> its model.json + weights.bin, with the U-Net checkpoint's weight encoding, CRC-32
// and NaN/Inf checks. Decoding validates everything on plain arrays before any tensor exists.
import * as tf from '@tensorflow/tfjs';
import { Classifier, classifierParamSpecs } from '../../model/classifier';
import { disposeParams, type Params } from '../../model/params';
import { crc32Hex } from '../checkpoint/crc32';
import { decodeWeights, encodeWeights } from '../checkpoint/serialize';
import { WEIGHTS_FILE, type CheckpointWeightEntry } from '../checkpoint/types';
import { weightEntries } from '../checkpoint/weightsManifest';
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
  const weights: CheckpointWeightEntry[] = [...classifier.params].map(([name, v]) => ({
    name,
    shape: [...v.shape],
    dtype: 'float32',
  }));
  const manifest = validateClassifierManifest({
    ...meta,
    format: CLASSIFIER_FORMAT,
    formatVersion: CLASSIFIER_FORMAT_VERSION,
    createdAt: meta.createdAt ?? new Date().toISOString(),
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights }],
  });
  const out = await encodeWeights(classifier.params, weightEntries(manifest));
  manifest.weightsCrc32 = crc32Hex(out);
  return { modelJson: manifest, weights: out.buffer };
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
  const params: Params = new Map();
  try {
    for (const { name, shape } of classifierParamSpecs(config)) {
      const values = decoded.values.get(name);
      if (!values) throw new Error(`internal: decoded judge lacks weight ${name}`);
      params.set(
        name,
        tf.tidy(() => tf.variable(tf.tensor(values, shape, 'float32'), false)),
      );
    }
  } catch (e) {
    disposeParams(params);
    throw e;
  }
  return new Classifier(config, params);
}
