// The 2-D score-based playground's mathematics: data presets as exact Gaussian mixtures, their
// scores under noise, the SDEs of Song et al. 2021, the samplers' update rules and runs, metrics
// and PF-ODE likelihoods. Plain typed arrays, no tfjs: the worker, the CLI and the tests share it.
export * from './gmm';
export * from './presets';
export * from './sde';
export * from './updates';
export * from './sampler';
export * from './metrics';
export * from './likelihood';
export * from './rng';
export * from './forward';
export * from './learnedDefaults';
