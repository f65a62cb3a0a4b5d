// The learned 2-D score's training recipe (the engine trains it: score2dLearned.ts), here without
// tfjs so the CLI's help and the view can show it.
export type Score2dObjective = 'dsm' | 'eps';

export interface LearnedScoreOptions {
  objective: Score2dObjective;
  steps: number;
  batch: number;
  learningRate: number;
  seed: number;
}

/**
 * The defaults of the CLI and the view: chosen so the view's training reaches a usable score (the
 * reverse SDE gets `mixture`'s 0.8 within ±0.05) in well under 20 s on wasm on a 2-core machine:
 * 800 steps of batch 256 cost ~7 ms of CPU each in Node (`cpuMsPerStep` of 6.7 measured).
 */
export const DEFAULT_LEARNED: LearnedScoreOptions = {
  objective: 'eps',
  steps: 800,
  batch: 256,
  learningRate: 3e-3,
  seed: 0,
};
