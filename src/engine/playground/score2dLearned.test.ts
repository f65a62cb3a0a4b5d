// The learned 2-D score: trained with the CLI's defaults (ε-prediction, 2,000 Adam steps, seed 0),
// the VP reverse SDE with it gets Song & Ermon's mixture weights within ±0.05; no tensor leaks.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { componentFractions } from '../../diffusion/score2d';
import { initWasmForTests } from '../backends/testing';
import { LearnedScore, DEFAULT_LEARNED } from './score2dLearned';
import { allDefaults, makeSampler, resolveData } from './score2dController';

beforeAll(initWasmForTests);

describe('learned score on mixture', () => {
  it('reverse SDE (VP, N = 200, 2,000 samples) lands within ±0.05 of 0.8', async () => {
    const before = tf.memory().numTensors;
    const p = resolveData({ preset: 'mixture' });
    const learned = new LearnedScore(p, { objective: 'eps', seed: 0 });
    expect(DEFAULT_LEARNED.steps).toBe(2000);
    let first = 0;
    let last = 0;
    for (let i = 0; i < DEFAULT_LEARNED.steps; i++) {
      last = await learned.trainStep();
      if (i === 0) first = last;
    }
    // The loss falls from ≈ 1 (ε̂ = 0 at start: E‖z‖²/2 per coordinate = 1) to below 0.5.
    expect(first).toBeGreaterThan(0.8);
    expect(last).toBeLessThan(0.5);
    const sampler = makeSampler(p, { ...allDefaults(p)['reverse-sde'], steps: 200 }, 2000, 0);
    const x = await sampler.run(learned.scoreFn());
    // Binomial std at n = 2,000 is 0.009; the rest of ±0.05 is the network's error.
    expect(Math.abs(componentFractions(p.gmm, x)[1] - 0.8)).toBeLessThan(0.05);
    learned.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }, 600_000);
});
