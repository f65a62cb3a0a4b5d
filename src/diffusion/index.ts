// Public API of the diffusion-mathematics core. (Pulls in tfjs; tf-free code can import
// './schedule' or './respace' directly.)
export {
  COSINE_MAX_BETA,
  COSINE_S,
  LINEAR_BETA_END,
  LINEAR_BETA_START,
  MAX_T,
  cosineBetas,
  isScheduleKind,
  linearBetas,
  makeSchedule,
  scheduleFromBetas,
  validateT,
  type Schedule,
  type ScheduleKind,
  type ScheduleOptions,
} from './schedule';
export { coefficientAt, validateTimestep, type Timestep } from './coefficients';
export { qSample, qStep } from './forward';
export { posteriorMean, predictX0FromEps } from './posterior';
export { ddimTimesteps, respacedSchedule, type RespacedSchedule } from './respace';
export {
  ddimCoefficients,
  ddimSigma,
  ddimStep,
  ddpmSigma,
  ddpmStep,
  type DdimCoefficients,
  type DdimStepArgs,
  type DdpmStepArgs,
  type DdpmVariance,
  type StepResult,
} from './samplers';
export { guidedEps } from './guidance';
