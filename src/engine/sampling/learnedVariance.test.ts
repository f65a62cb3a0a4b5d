// Sampling with a learned Σ_θ (Nichol & Dhariwal 2021, eq. 15) and DDPM respaced to fewer steps,
// on a stub model whose v output is a constant: v = −1 must reproduce σ² = β̃ and v = +1 σ² = β.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ddimTimesteps } from '../../diffusion/respace';
import { makeSchedule } from '../../diffusion/schedule';
import type { EpsModel } from './eps';
import { resolveOptions, type SamplingOptions } from './options';
import { makePlan } from './plan';
import { SamplingSession } from './session';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

const schedule = makeSchedule({ kind: 'linear', T: 40 });

/** ε̂ = 0.3·x_t + 0.05·label, v = vOut; records the v it was asked for. */
function stub(vOut: number, learnSigma = true): EpsModel & { outputs: number } {
  const model = {
    config: { imageSize: 4, inChannels: 1, numClasses: 3, learnSigma },
    outputs: 0,
    apply(x: tf.Tensor4D, _t: tf.Tensor1D, y: tf.Tensor1D | null) {
      return tf.tidy(() => {
        const label = y ? tf.cast(y, 'float32').reshape([-1, 1, 1, 1]) : tf.scalar(3);
        return tf.add(tf.mul(x, 0.3), tf.mul(label, 0.05)) as tf.Tensor4D;
      });
    },
    applyOutput(x: tf.Tensor4D, t: tf.Tensor1D, y: tf.Tensor1D | null) {
      model.outputs += 1;
      return tf.tidy(
        () => tf.concat([model.apply(x, t, y), tf.fill(x.shape, vOut)], 3) as tf.Tensor4D,
      );
    },
  };
  return model;
}

async function sample(model: EpsModel, opts: Partial<SamplingOptions>): Promise<Float32Array> {
  const session = new SamplingSession(model, schedule, {
    n: 2,
    sampler: 'ddpm',
    classes: [0, 2],
    seed: 5,
    ...opts,
  });
  try {
    const snap = await session.run();
    return snap.x;
  } finally {
    session.dispose();
  }
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
}

describe('DDPM with a learned Σ_θ', () => {
  it('v = −1 gives σ² = β̃ and v = +1 gives σ² = β, on all T steps and respaced to 7', async () => {
    for (const steps of [undefined, 7]) {
      const lo = stub(-1);
      const learnedLow = await sample(lo, { variance: 'learned', steps });
      expect(lo.outputs).toBe(steps ?? schedule.T); // one network pass per step
      const tilde = await sample(stub(-1), { variance: 'betaTilde', steps });
      expect(maxDiff(learnedLow, tilde)).toBeLessThan(1e-5);
      const learnedHigh = await sample(stub(1), { variance: 'learned', steps });
      const beta = await sample(stub(1), { variance: 'beta', steps });
      expect(maxDiff(learnedHigh, beta)).toBeLessThan(1e-5);
      // and the two variances really differ, so the comparison can fail
      expect(maxDiff(tilde, beta)).toBeGreaterThan(1e-3);
    }
  });

  it('with guidance takes v from the conditional pass and leaks nothing', async () => {
    const before = tf.memory().numTensors;
    const guided = await sample(stub(-1), { variance: 'learned', guidanceScale: 3 });
    const tilde = await sample(stub(-1), { variance: 'betaTilde', guidanceScale: 3 });
    expect(maxDiff(guided, tilde)).toBeLessThan(1e-5);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses "learned" for a model without Σ_θ, with a clear message', () => {
    expect(() =>
      resolveOptions({ n: 1, sampler: 'ddpm', classes: null, seed: 1, variance: 'learned' }, 3, 40),
    ).toThrow(/learn-sigma/);
    expect(
      () =>
        new SamplingSession(stub(0, false), schedule, {
          n: 1,
          sampler: 'ddpm',
          classes: null,
          seed: 1,
          variance: 'learned',
        }),
    ).toThrow(/learned Σ_θ/);
  });
});

describe('DDPM respaced to fewer steps', () => {
  it('visits round(linspace(T−1, 0, steps)) with σ² from the respaced β′', () => {
    const plan = makePlan(schedule, { sampler: 'ddpm', steps: 5, eta: 0, variance: 'beta' });
    const kept = Array.from(ddimTimesteps(40, 5));
    expect(plan.steps.map((s) => s.modelT)).toEqual(kept);
    expect(plan.ddpmSchedule.T).toBe(5);
    const sorted = [...kept].sort((a, b) => a - b);
    plan.steps.forEach((s, k) => {
      if (s.kind !== 'ddpm') throw new Error('expected DDPM steps');
      const j = 4 - k;
      expect(s.index).toBe(j);
      const ab = schedule.alphaBars[sorted[j]];
      const abPrev = j > 0 ? schedule.alphaBars[sorted[j - 1]] : 1;
      expect(s.sigma).toBeCloseTo(j > 0 ? Math.sqrt(1 - ab / abPrev) : 0, 10);
    });
    // All T steps: the original schedule, untouched.
    const full = makePlan(schedule, { sampler: 'ddpm', steps: 40, eta: 0, variance: 'beta' });
    expect(full.ddpmSchedule).toBe(schedule);
    expect(full.steps).toHaveLength(40);
  });
});
