// The judge's learning rate: linear warm-up, then cosine decay to 0 (Loshchilov & Hutter 2017,
// SGDR without restarts), so that the last epoch settles into a minimum.
import { warmupLearningRate } from '../training/optimizer';

/** lr at 0-based step s of totalSteps. */
export function cosineLearningRate(
  lr: number,
  warmupSteps: number,
  totalSteps: number,
  step: number,
): number {
  if (step < warmupSteps) return warmupLearningRate(lr, warmupSteps, step);
  const span = Math.max(1, totalSteps - warmupSteps);
  const progress = Math.min(1, (step - warmupSteps) / span);
  return 0.5 * lr * (1 + Math.cos(Math.PI * progress));
}
