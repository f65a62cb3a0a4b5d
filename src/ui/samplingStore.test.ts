import { describe, expect, it } from 'vitest';
import { DEFAULT_SAMPLING, frameAtStep } from './samplingStore';

describe('frameAtStep: the trajectory scrubber over all planned steps', () => {
  it('shows the last recorded frame at or before the step', () => {
    // A run sampled straight to the end keeps x_T (step 0) and the samples (step 50).
    const straight = [{ stepsDone: 0 }, { stepsDone: 50 }];
    expect(frameAtStep(straight, 0)).toBe(0);
    expect(frameAtStep(straight, 49)).toBe(0);
    expect(frameAtStep(straight, 50)).toBe(1);
    // Played step by step, then stepped back: every step has its frame.
    const played = [0, 1, 2, 3].map((stepsDone) => ({ stepsDone }));
    expect(frameAtStep(played, 2)).toBe(2);
    expect(frameAtStep(played, 40)).toBe(3);
    expect(frameAtStep([], 3)).toBe(0);
  });
  it('samples 16 images by default: a full 4×4 grid', () => {
    expect(Math.sqrt(DEFAULT_SAMPLING.n) % 1).toBe(0);
    expect(DEFAULT_SAMPLING.n).toBe(16);
  });
});
