// Classifier guidance in the engine: the gradient of log p(y | x_t, t) against central finite
// differences (cpu) and against cpu on wasm (the project's conv gradient kernels), and a guided
// SamplingSession against the closed forms of Alg. 1 and 2, without tensor leaks.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSchedule } from '../../diffusion/schedule';
import { NoisyClassifier, type NoisyClassifierConfig } from '../../model/noisyClassifier';
import { getPreset } from '../../model/presets';
import { UNet } from '../../model/unet';
import { initWasmForTests, onBackend, randomValues, relError } from '../backends/testing';
import { ClassifierGuide, classifierLogProbGradient, guidanceTarget } from './classifierGuide';
import { makePlan } from './plan';
import { SamplingSession } from './session';

const tiny: NoisyClassifierConfig = {
  imageSize: 8,
  inChannels: 2,
  numClasses: 3,
  channels: [3, 4],
  timeEmbedDim: 8,
};
const classes = Int32Array.from([0, 2]);
const shape: [number, number, number, number] = [2, 8, 8, 2];

/** log p(y_i | x_i, t) for each image, read back. */
async function logProbs(c: NoisyClassifier, x: Float32Array, t: number): Promise<number[]> {
  const lp = tf.tidy(() => {
    const logits = c.logits(tf.tensor4d(x, shape), tf.fill([2], t, 'int32') as tf.Tensor1D);
    return tf.logSoftmax(logits);
  });
  const v = await lp.data();
  lp.dispose();
  return [v[classes[0]], v[3 + classes[1]]];
}

describe('classifierLogProbGradient', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('matches central finite differences of log p(y | x_t, t), per image', async () => {
    const c = NoisyClassifier.create(tiny, { seed: 5 });
    const x = randomValues(2 * 128, 9);
    const before = tf.memory().numTensors;
    const xt = tf.tensor4d(x, shape);
    const { grad, probs } = classifierLogProbGradient(c, xt, 400, classes);
    expect(grad.shape).toEqual(shape);
    expect(probs.shape).toEqual([2, 3]);
    const g = await grad.data();
    const p = await probs.data();
    expect(p[0] + p[1] + p[2]).toBeCloseTo(1, 5);
    tf.dispose([xt, grad, probs]);
    expect(tf.memory().numTensors).toBe(before);
    const h = 1e-2;
    for (const i of [0, 17, 127, 128 + 5, 255]) {
      const plus = Float32Array.from(x);
      const minus = Float32Array.from(x);
      plus[i] += h;
      minus[i] -= h;
      const b = i < 128 ? 0 : 1;
      const fd = ((await logProbs(c, plus, 400))[b] - (await logProbs(c, minus, 400))[b]) / (2 * h);
      expect(Math.abs(g[i] - fd)).toBeLessThan(2e-3 + 2e-2 * Math.abs(fd));
    }
    c.dispose();
  });

  it('rejects a class outside the classifier or a wrong count', () => {
    const c = NoisyClassifier.create(tiny, { seed: 5 });
    const xt = tf.zeros(shape) as tf.Tensor4D;
    expect(() => classifierLogProbGradient(c, xt, 1, Int32Array.from([0, 3]))).toThrow(/\[0, 2\]/);
    expect(() => classifierLogProbGradient(c, xt, 1, Int32Array.from([0]))).toThrow(/one class/);
    tf.dispose(xt);
    c.dispose();
  });
});

describe('classifier guidance on wasm', () => {
  beforeAll(initWasmForTests);
  afterAll(() => tf.setBackend('cpu'));

  it('gives the same gradient and probabilities as cpu', async () => {
    const run = () => {
      const c = NoisyClassifier.create({ ...tiny, imageSize: 28 - 20 }, { seed: 2 });
      const out = classifierLogProbGradient(
        c,
        tf.tensor4d(randomValues(256, 3), shape),
        700,
        classes,
      );
      c.dispose();
      return [out.grad, out.probs];
    };
    const cpu = await onBackend('cpu', run);
    const wasm = await onBackend('wasm', run);
    expect(relError(wasm[0], cpu[0])).toBeLessThan(1e-4);
    expect(relError(wasm[1], cpu[1])).toBeLessThan(1e-5);
  });

  it('a guided session follows Alg. 1 (DDPM) and Alg. 2 (DDIM), leaks nothing, reports p and g', async () => {
    const schedule = makeSchedule({ kind: 'linear', T: 6 });
    const unet = UNet.create(
      { ...getPreset('mnist', 'tiny'), numClasses: 10 },
      { seed: 3, zeroInit: false },
    );
    const clf = NoisyClassifier.create(
      { ...tiny, imageSize: 28, inChannels: 1, numClasses: 10 },
      { seed: 4 },
    );
    const before = tf.memory().numTensors;
    for (const sampler of ['ddim', 'ddpm'] as const) {
      const opts = { n: 2, sampler, steps: 3, classes: null, seed: 5, clipX0: false };
      const plain = new SamplingSession(unet, schedule, opts);
      const guide = new ClassifierGuide(clf, Int32Array.from([3, 8]), 4);
      const guided = new SamplingSession(unet, schedule, opts, guide);
      await plain.advance(1);
      await guided.advance(1);
      const a = await plain.current();
      const b = await guided.current();
      const cg = b.step?.classifier;
      expect(cg?.probs.length).toBe(20);
      expect(cg?.grad.length).toBe(2 * 28 * 28);
      expect(cg?.scale).toBe(4);
      const plan = makePlan(schedule, guided.options);
      const target = guidanceTarget(plan, plan.steps[0]);
      const g = cg?.grad ?? new Float32Array();
      if (sampler === 'ddpm') {
        // Alg. 1: the same noise, the mean shifted by s·σ²·g.
        expect(target.on).toBe('mean');
        const k = target.on === 'mean' ? 4 * target.variance : NaN;
        let worst = 0;
        for (let i = 0; i < g.length; i++)
          worst = Math.max(worst, Math.abs(b.x[i] - a.x[i] - k * g[i]));
        expect(worst).toBeLessThan(1e-5);
      } else {
        // Alg. 2: ε' = ε − √(1−ᾱ)·s·g is the ε the step used.
        expect(target.on).toBe('eps');
        const k = target.on === 'eps' ? -4 * Math.sqrt(1 - target.alphaBar) : NaN;
        const e = a.step?.epsUsed ?? new Float32Array();
        const e2 = b.step?.epsUsed ?? new Float32Array();
        let worst = 0;
        for (let i = 0; i < g.length; i++)
          worst = Math.max(worst, Math.abs(e2[i] - e[i] - k * g[i]));
        expect(worst).toBeLessThan(1e-5);
      }
      guide.setScale(0);
      await guided.run();
      plain.dispose();
      guided.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(() => new ClassifierGuide(clf, Int32Array.from([1]), -1)).toThrow(/>= 0/);
    unet.dispose();
    clf.dispose();
  });

  it('guides the score-based samplers in the ε form at every evaluation, without leaks', async () => {
    const schedule = makeSchedule({ kind: 'linear', T: 8 });
    const unet = UNet.create(
      { ...getPreset('mnist', 'tiny'), numClasses: 10 },
      { seed: 3, zeroInit: false },
    );
    const clf = NoisyClassifier.create(
      { ...tiny, imageSize: 28, inChannels: 1, numClasses: 10 },
      { seed: 4 },
    );
    const before = tf.memory().numTensors;
    for (const sampler of ['euler-maruyama', 'pf-ode', 'pc', 'annealed-langevin'] as const) {
      const opts = { n: 2, sampler, steps: 3, classes: null, seed: 5, clipX0: false };
      const plain = new SamplingSession(unet, schedule, opts);
      const guide = new ClassifierGuide(clf, Int32Array.from([3, 8]), 4);
      const guided = new SamplingSession(unet, schedule, opts, guide);
      await plain.advance(1);
      await guided.advance(1);
      const a = await plain.current();
      const b = await guided.current();
      const cg = b.step?.classifier;
      expect(cg?.probs.length, sampler).toBe(20);
      expect(cg?.scale).toBe(4);
      // The first evaluation is at x_t: ε' = ε − √(1−ᾱ_t)·s·g with ᾱ of the model timestep.
      const t = b.step?.t ?? NaN;
      const k = -4 * Math.sqrt(1 - schedule.alphaBars[t]);
      const g = cg?.grad ?? new Float32Array();
      const e = a.step?.epsUsed ?? new Float32Array();
      const e2 = b.step?.epsUsed ?? new Float32Array();
      let worst = 0;
      for (let i = 0; i < g.length; i++) worst = Math.max(worst, Math.abs(e2[i] - e[i] - k * g[i]));
      expect(worst, sampler).toBeLessThan(1e-5);
      await guided.run();
      plain.dispose();
      guided.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    unet.dispose();
    clf.dispose();
  });
});
