// Public API of sample-quality evaluation for the worker and the CLI (no Node imports). Judges
// come from '../judge' (loadJudge with fetchJudge in the worker, loadJudgeDir in the CLI).
export {
  balancedLabels,
  DEFAULT_EVALUATION_BATCH,
  DEFAULT_GUIDANCE_SCALES,
  DEFAULT_SAMPLES_PER_SCALE,
  evaluateGuidance,
  GUIDANCE_CONVENTION,
  type EvaluateGuidanceOptions,
  type EvaluationProgress,
  type GuidanceEvaluation,
  type ScaleResult,
} from './evaluateGuidance';
export {
  DEFAULT_NFE_BUDGETS,
  evaluateSamplers,
  NFE_SAMPLERS,
  stepsForNfe,
  type EvaluateSamplersOptions,
  type NfeResult,
  type NfeSampler,
} from './evaluateSamplers';
export {
  compareGuidance,
  type ComparedMethod,
  type CompareGuidanceOptions,
  type GuidanceComparison,
} from './compareGuidance';
