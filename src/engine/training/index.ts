// Public API of live training (browser worker and Node). The Node-only state files are in
// './stateDir' (node:fs), deliberately not re-exported.
export {
  Trainer,
  TrainingDivergedError,
  type StepSplit,
  type StepStats,
  type TrainerOptions,
} from './trainer';
export {
  TrainingSession,
  type SessionOptions,
  type SessionState,
  type TrainingProgress,
} from './session';
export {
  diffusionLoss,
  lossBucket,
  LOSS_BUCKETS,
  type DiffusionLoss,
  type LossInputs,
} from './loss';
export { Adam, clipScale, warmupLearningRate, type AdamOptions } from './optimizer';
export { DEFAULT_EMA_DECAY, Ema, emaDecayAt, emaWarmupSteps } from './ema';
export { BatchSampler, type BatchOptions, type TrainingBatch } from './batch';
export { BucketAverages, Smoother } from './smoothing';
export type { TrainState, TrainStateTensor } from './state';
export { macrotask } from '../yield';
