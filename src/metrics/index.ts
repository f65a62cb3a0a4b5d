// Sample-quality metrics on plain arrays (float64, no tfjs): usable in the worker and the CLI.
export { featureStats, type FeatureStats } from './featureStats';
export {
  frechetDistance,
  frechetParts,
  symmetricSqrt,
  traceSqrtProduct,
  type FrechetParts,
} from './frechet';
export { argmaxRows, classAccuracy, type ClassAccuracy } from './accuracy';
export {
  diversityRatio,
  meanPairwiseDistance,
  perClassPairwiseDistance,
  type Diversity,
} from './diversity';
