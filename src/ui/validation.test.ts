// The one validation every way into the state goes through (hash, inputs, keyboard, storage).
import { describe, expect, it } from 'vitest';
import { PLAYGROUND_DEFAULTS, usePlayground } from './store';
import { DEFAULT_SAMPLING, useSampling } from './samplingStore';
import {
  MAX_LANGEVIN_STEPS_UI,
  MIN_SNR,
  validPlayground,
  validSampling,
  validVariance,
} from './validation';
import { applyHash } from './useUrlState';
import { useTraining } from './trainingStore';

describe('validPlayground', () => {
  it('clamps t to the T in effect and the image to the test set', () => {
    const s = validPlayground(
      { ...PLAYGROUND_DEFAULTS, T: 100, t: 250, imageIndex: 59_999 },
      PLAYGROUND_DEFAULTS,
    );
    expect(s.T).toBe(100);
    expect(s.t).toBe(99);
    expect(s.imageIndex).toBe(9_999);
  });

  it('replaces values of the wrong kind with defaults', () => {
    const bad = {
      ...PLAYGROUND_DEFAULTS,
      view: 'nope',
      dataset: '__proto__',
      T: Number.NaN,
      t: Infinity,
      seed: -3,
      theme: 'neon',
      classroom: 'yes',
    } as unknown as typeof PLAYGROUND_DEFAULTS;
    expect(validPlayground(bad, PLAYGROUND_DEFAULTS)).toEqual({ ...PLAYGROUND_DEFAULTS, seed: 0 });
  });
});

describe('validSampling', () => {
  it("clamps DDIM steps to the model's T and the class to its classes", () => {
    const s = validSampling(
      { ...DEFAULT_SAMPLING, steps: 4000, classIndex: 12 },
      { T: 1000, numClasses: 10 },
      DEFAULT_SAMPLING,
    );
    expect(s.steps).toBe(1000);
    expect(s.classIndex).toBe(9);
    const unconditional = validSampling(
      DEFAULT_SAMPLING,
      { T: 50, numClasses: 0 },
      DEFAULT_SAMPLING,
    );
    expect(unconditional.classIndex).toBe(-1);
    expect(unconditional.steps).toBe(50);
  });

  it('keeps η, s and n in their ranges', () => {
    const s = validSampling(
      { ...DEFAULT_SAMPLING, eta: -1, guidanceScale: Number.NaN, n: 1000 },
      { T: null, numClasses: null },
      DEFAULT_SAMPLING,
    );
    expect([s.eta, s.guidanceScale, s.n]).toEqual([0, DEFAULT_SAMPLING.guidanceScale, 64]);
  });
});

describe('the stores validate every write', () => {
  it('a link with a small T and no t keeps t inside the chain (issue: #T=100 blanked the page)', () => {
    usePlayground.setState({ ...PLAYGROUND_DEFAULTS });
    applyHash('#T=100');
    expect(usePlayground.getState().T).toBe(100);
    expect(usePlayground.getState().t).toBe(99);
    applyHash('#view=schedules&T=77');
    expect(usePlayground.getState().t).toBe(76);
    // setState from anywhere is validated, not only the setters.
    usePlayground.setState({ T: 10 });
    expect(usePlayground.getState().t).toBe(9);
    usePlayground.getState().setTimestep(500);
    expect(usePlayground.getState().t).toBe(9);
  });

  it('a link asking for more steps than the model has is clamped when the model loads', () => {
    applyHash('#view=sampling&steps=4000');
    expect(useSampling.getState().settings.steps).toBe(4000);
    useSampling.getState().setLimits({ T: 1000, numClasses: 10 });
    expect(useSampling.getState().settings.steps).toBe(1000);
    useSampling.getState().setSettings({ steps: 5000 });
    expect(useSampling.getState().settings.steps).toBe(1000);
  });

  it('a link cannot switch the data set under a model that is training', () => {
    usePlayground.setState({ ...PLAYGROUND_DEFAULTS, dataset: 'mnist' });
    useTraining.setState({ state: 'running' });
    applyHash('#data=cifar10&T=500');
    expect(usePlayground.getState().dataset).toBe('mnist');
    expect(usePlayground.getState().T).toBe(500);
    expect(usePlayground.getState().notice).toContain(
      'data=cifar10 was ignored while the model is training',
    );
    useTraining.setState({ state: 'paused' });
    applyHash('#data=cifar10');
    expect(usePlayground.getState().dataset).toBe('cifar10');
  });
});

describe('validVariance (DDPM σ², Nichol & Dhariwal 2021 for "learned")', () => {
  it('keeps "learned" for a model with Σ_θ or before a model is known, refuses it otherwise', () => {
    const known = { T: 1000, numClasses: 10 };
    expect(validVariance('learned', { ...known, learnSigma: true })).toEqual({
      variance: 'learned',
      problem: null,
    });
    expect(validVariance('learned', { T: null, numClasses: null })).toEqual({
      variance: 'learned',
      problem: null,
    });
    const refused = validVariance('learned', { ...known, learnSigma: false });
    expect(refused.variance).toBe('beta');
    expect(refused.problem).toMatch(/learned Σ_θ/);
    expect(validVariance('betaTilde', { ...known, learnSigma: false }).variance).toBe('betaTilde');
    expect(validVariance('<script>', known)).toEqual({ variance: 'beta', problem: null });
  });
});

describe('a link asking for σ² = learned', () => {
  it('is kept for a model with Σ_θ and refused with a message for one without', () => {
    useSampling.setState({ settings: DEFAULT_SAMPLING, limits: { T: null, numClasses: null } });
    applyHash('#sampler=ddpm&var=learned');
    expect(useSampling.getState().settings.variance).toBe('learned');
    useSampling.getState().setLimits({ T: 1000, numClasses: 10, learnSigma: false });
    expect(useSampling.getState().settings.variance).toBe('beta');
    expect(useSampling.getState().varianceProblem).toMatch(/needs a model trained with a learned/);
    useSampling.getState().setLimits({ T: 1000, numClasses: 10, learnSigma: true });
    applyHash('#sampler=ddpm&var=learned');
    expect(useSampling.getState().settings.variance).toBe('learned');
    expect(useSampling.getState().varianceProblem).toBeNull();
    applyHash('#sampler=ddpm&var=huge');
    expect(usePlayground.getState().notice).toMatch(
      /var="huge" is not one of beta, betaTilde, learned/,
    );
    useSampling.setState({ settings: DEFAULT_SAMPLING, limits: { T: null, numClasses: null } });
  });
});

describe('the score samplers’ settings in the main thread', () => {
  it('use the engine’s defaults and bounds (the main thread cannot import the engine)', async () => {
    const { DEFAULT_SNR } = await import('../diffusion/scoreSamplers');
    const { MAX_LANGEVIN_STEPS } = await import('../engine/sampling/scoreOptions');
    const { DEFAULT_LANGEVIN_STEPS } = await import('../engine/sampling/scorePlan');
    expect(DEFAULT_SAMPLING.snr).toBe(DEFAULT_SNR);
    expect(DEFAULT_SAMPLING.langevinSteps).toBe(DEFAULT_LANGEVIN_STEPS);
    expect(MAX_LANGEVIN_STEPS_UI).toBe(MAX_LANGEVIN_STEPS);
  });

  it('clamp snr to [0.01, 1] and M to 1..100, falling back on non-numbers', () => {
    const s = validSampling(
      { ...DEFAULT_SAMPLING, snr: 0, langevinSteps: 1000 },
      { T: null, numClasses: null },
      DEFAULT_SAMPLING,
    );
    expect([s.snr, s.langevinSteps]).toEqual([MIN_SNR, 100]);
    const nan = validSampling(
      { ...DEFAULT_SAMPLING, snr: Number.NaN, langevinSteps: Number.POSITIVE_INFINITY },
      { T: null, numClasses: null },
      DEFAULT_SAMPLING,
    );
    expect([nan.snr, nan.langevinSteps]).toEqual([0.16, 1]);
  });
});
