// Public API of the judge (the MNIST classifier that scores samples) for the worker and the CLI.
// fsStore (node:fs) is deliberately not re-exported: the CLI imports './judge/fsStore' directly.
export * from './types';
export { encodeClassifier, decodeClassifier, createClassifierFromCheckpoint } from './checkpoint';
export { validateClassifierManifest } from './manifest';
export {
  referenceGaussian,
  referenceStatsFrom,
  referenceStatsText,
  validateReferenceStats,
  type ReferenceSource,
} from './referenceStats';
export { loadJudge, type Judge } from './load';
export { measureOnDataset, type TestSetMeasurement } from './testSet';
export { fetchJudge } from './fetchStore';
export { judgeDataset, judgeImages, DEFAULT_JUDGE_BATCH, type JudgeOutputs } from './outputs';
export {
  ClassifierTrainer,
  DEFAULT_CLASSIFIER_TRAINING,
  type ClassifierStepStats,
  type ClassifierTrainingOptions,
} from './trainer';
export { shiftImages } from './augment';
export { cosineLearningRate } from './schedule';
