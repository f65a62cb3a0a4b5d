// Public API of step-by-step sampling (tfjs; runs in the worker and in the Node CLI).
export { predictEps, usesGuidance, type EpsModel, type EpsPrediction } from './eps';
export {
  DEFAULT_DDIM_STEPS,
  resolveOptions,
  type ResolvedOptions,
  type SamplerKind,
  type SamplingOptions,
} from './options';
export { makePlan, type PlanStep, type SamplingPlan } from './plan';
export { readTogether } from './readback';
export {
  batchSeed,
  sampleImages,
  type SampleImagesOptions,
  type SampleImagesProgress,
} from './sampleImages';
export { streamSeed } from './seeds';
export {
  SamplingSession,
  type AdvanceOptions,
  type AdvanceResult,
  type ProgressInfo,
  type SamplingSnapshot,
  type Shape4,
  type StepOutputs,
  type Trajectory,
  type TrajectoryFrame,
} from './session';
