// A judge ready to use: the three files validated together, then the classifier's variables
// created. Nothing is created unless everything is valid.
import type { Classifier } from '../../model/classifier';
import { createClassifierFromCheckpoint, decodeClassifier } from './checkpoint';
import { validateReferenceStats } from './referenceStats';
import type { ClassifierManifest, RawJudge, ReferenceStats } from './types';

export interface Judge {
  classifier: Classifier;
  manifest: ClassifierManifest;
  reference: ReferenceStats;
}

/** Validates model.json, weights.bin and reference-stats.json; throws a CheckpointError. */
export function loadJudge(raw: RawJudge): Judge {
  const decoded = decodeClassifier(raw.modelJson, raw.weights);
  const reference = validateReferenceStats(raw.referenceStats, decoded.manifest);
  return {
    classifier: createClassifierFromCheckpoint(decoded),
    manifest: decoded.manifest,
    reference,
  };
}
