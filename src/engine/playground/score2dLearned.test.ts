// The learned 2-D score: trained with the defaults of the CLI and the view (ε-prediction, 800 Adam
// steps of batch 256, seed 0), the VP reverse SDE with it gets Song & Ermon's mixture weights
// within ±0.05; its divergence is the trace of its Jacobian; no tensor leaks.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { componentFractions } from '../../diffusion/score2d';
import { initWasmForTests } from '../backends/testing';
import { LearnedScore, DEFAULT_LEARNED, learnedField } from './score2dLearned';
import { allDefaults, makeSampler, resolveData } from './score2dController';

beforeAll(initWasmForTests);

describe('learned score on mixture', () => {
  it('reverse SDE (VP, N = 200, 2,000 samples) lands within ±0.05 of 0.8', async () => {
    const before = tf.memory().numTensors;
    const p = resolveData({ preset: 'mixture' });
    const learned = new LearnedScore(p, { seed: 0 });
    expect(DEFAULT_LEARNED).toMatchObject({ objective: 'eps', steps: 800, batch: 256 });
    let first = 0;
    let last = 0;
    for (let i = 0; i < DEFAULT_LEARNED.steps; i++) {
      last = await learned.trainStep();
      if (i === 0) first = last;
    }
    // The loss falls from ≈ 1 (ε̂ = 0 at start: E‖z‖² per coordinate = 1) to below 0.5.
    expect(first).toBeGreaterThan(0.8);
    expect(last).toBeLessThan(0.5);
    const sampler = makeSampler(p, { ...allDefaults(p)['reverse-sde'], steps: 200 }, 2000, 0);
    const x = await sampler.run(learned.scoreFn());
    // Binomial std at n = 2,000 is 0.009; the rest of ±0.05 is the network's error.
    expect(Math.abs(componentFractions(p.gmm, x)[1] - 0.8)).toBeLessThan(0.05);
    // Its error, relative to the score's size, is smaller where the data is than over the whole
    // square at a small noise level (σ = 0.1), and small everywhere at a large one (σ = 10).
    const small = await learnedField(learned, { a: 1, b: 0.1 }, p.extent, 32, 4);
    expect(small.relErrorNearData).toBeLessThan(small.relErrorEverywhere);
    const large = await learnedField(learned, { a: 1, b: 10 }, p.extent, 32, 4);
    expect(large.relErrorEverywhere).toBeLessThan(0.2);
    learned.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }, 600_000);

  it('the divergence is the central difference of the score (rel. 1e-2, float32)', async () => {
    const before = tf.memory().numTensors;
    const p = resolveData({ preset: 'moons' });
    const learned = new LearnedScore(p, { seed: 3 });
    for (let i = 0; i < 30; i++) await learned.trainStep();
    const m = { a: 0.8, b: 0.6 };
    const x = Float64Array.from([0.3, -0.7, 1.5, 0.2, -2, 1]);
    const s = new Float64Array(6);
    const div = new Float64Array(3);
    await learned.scoreDivFn()(x, m, s, div);
    const plain = new Float64Array(6);
    await learned.scoreFn()(x, m, plain);
    for (let i = 0; i < 6; i++) expect(s[i]).toBeCloseTo(plain[i], 4);
    const h = 1e-2;
    const at = async (dx: number, dy: number) => {
      const y = Float64Array.from(x, (v, i) => v + (i % 2 === 0 ? dx : dy));
      const out = new Float64Array(6);
      await learned.scoreFn()(y, m, out);
      return out;
    };
    const [xp, xm, yp, ym] = await Promise.all([at(h, 0), at(-h, 0), at(0, h), at(0, -h)]);
    for (let i = 0; i < 3; i++) {
      const fd = (xp[2 * i] - xm[2 * i] + yp[2 * i + 1] - ym[2 * i + 1]) / (2 * h);
      expect(Math.abs(div[i] - fd)).toBeLessThan(1e-2 * Math.max(1, Math.abs(fd)));
    }
    learned.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);
});
