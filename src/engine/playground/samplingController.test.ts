// A long advance reports its steps (paced: paced.ts) as they finish and reads back once, at the end.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initWasmForTests } from '../backends/testing';
import { ModelSlot } from './modelSlot';
import { SamplingController, type SamplingProgress } from './samplingController';
import { PROGRESS_INTERVAL_MS } from '../paced';
import { leaseOwnWeights } from './weights';
import { SamplingPeerHost, SamplingPeerLink } from './samplingPeer';

beforeAll(async () => {
  await initWasmForTests();
});

describe('SamplingController.advance', () => {
  it('reports progress paced (the first step, then every PROGRESS_INTERVAL_MS, and the last) and returns the frame after the last', async () => {
    const baseline = tf.memory().numTensors;
    const slot = new ModelSlot();
    await slot.create('mnist', 'tiny', ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], {
      schedule: { kind: 'linear', T: 50 },
    });
    const sampling = new SamplingController();
    const first = await sampling.start(leaseOwnWeights(slot.model), slot.schedule, {
      n: 2,
      sampler: 'ddim',
      steps: 4,
      classes: [3, 3],
      seed: 1,
      guidanceScale: 3,
    });
    const seen: (SamplingProgress & { at: number })[] = [];
    const last = await sampling.advance(first.totalSteps, (p) =>
      seen.push({ ...p, at: performance.now() }),
    );
    expect(seen[0]).toMatchObject({ stepsDone: 1, totalSteps: 4 });
    expect(seen[seen.length - 1]).toMatchObject({ stepsDone: 4, totalSteps: 4 });
    for (let i = 1; i < seen.length; i++) {
      expect(seen[i].stepsDone).toBeGreaterThan(seen[i - 1].stepsDone);
      // Only the last report may come sooner than the interval after the one before it.
      if (i < seen.length - 1) {
        expect(seen[i].at - seen[i - 1].at).toBeGreaterThanOrEqual(PROGRESS_INTERVAL_MS - 1);
      }
    }
    expect(last.done).toBe(true);
    expect(last.x.length).toBe(2 * 28 * 28);
    sampling.stop();
    slot.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('says so when a broken model (weights × 1e18) samples garbage, and not for a sane one', async () => {
    const baseline = tf.memory().numTensors;
    const slot = new ModelSlot();
    await slot.create('mnist', 'tiny', ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], {
      schedule: { kind: 'linear', T: 50 },
      seed: 3,
    });
    const sampling = new SamplingController();
    const req = {
      n: 2,
      sampler: 'ddim' as const,
      steps: 3,
      classes: null,
      seed: 1,
      guidanceScale: 1,
    };
    await sampling.start(leaseOwnWeights(slot.model), slot.schedule, req);
    expect((await sampling.advance(3)).warning).toBeNull();
    sampling.stop();
    // The attack from issue 16: valid weights scaled by 1e18 (no CRC catches it).
    for (const v of slot.model.params.values()) {
      tf.tidy(() => (v as tf.Variable).assign(v.mul(1e18)));
    }
    await sampling.start(leaseOwnWeights(slot.model), slot.schedule, req);
    const broken = await sampling.advance(3);
    expect(broken.warning).toMatch(/NaN or infinite|predicted noise reaches|far outside/);
    expect(broken.warning).toContain('the model is broken');
    sampling.stop();
    slot.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
  });
});

describe('SamplingController: the DDPM variance', () => {
  it('passes σ² = β or β̃ to the sampler: the same noise, a smaller step with β̃', async () => {
    const baseline = tf.memory().numTensors;
    const slot = new ModelSlot();
    await slot.create('mnist', 'tiny', ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], {
      schedule: { kind: 'linear', T: 10 },
    });
    const sampling = new SamplingController();
    // One step from t = 9 with the same seed: x_{t−1} = μ̃ + σ z differs only through σ, and
    // the posterior variance β̃ is below β, so the β̃ sample stays closer to μ̃.
    const spread = async (variance: 'beta' | 'betaTilde') => {
      await sampling.start(leaseOwnWeights(slot.model), slot.schedule, {
        n: 2,
        sampler: 'ddpm',
        classes: null,
        seed: 7,
        guidanceScale: 1,
        variance,
      });
      const f = await sampling.advance(1);
      if (!f.xt || !f.x0Pred) throw new Error('no step');
      const t = f.t ?? -1;
      const c1 = slot.schedule.posteriorMeanCoef1[t];
      const c2 = slot.schedule.posteriorMeanCoef2[t];
      let sum = 0;
      f.x.forEach((x, i) => (sum += (x - (c1 * f.x0Pred![i] + c2 * f.xt![i])) ** 2));
      return Math.sqrt(sum / f.x.length);
    };
    const withBeta = await spread('beta');
    const withBetaTilde = await spread('betaTilde');
    const ratio = Math.sqrt(slot.schedule.posteriorVariance[9] / slot.schedule.betas[9]);
    // The deviation from μ̃ is σ·|z| with the same z: its ratio is σ_β̃ / σ_β (float32 tolerance).
    expect(withBetaTilde / withBeta).toBeCloseTo(ratio, 4);
    sampling.stop();
    slot.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
  });
});

describe('SamplingController with sampling workers', () => {
  it('gives a run already going each worker as it attaches, uploading the weights once per worker', async () => {
    const slot = new ModelSlot();
    await slot.create('mnist', 'tiny', ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], {
      schedule: { kind: 'linear', T: 50 },
    });
    const req = { n: 4, sampler: 'ddim' as const, steps: 4, classes: [1, 2, 3, 4], seed: 1 };
    const alone = new SamplingController();
    await alone.start(leaseOwnWeights(slot.model), slot.schedule, { ...req, guidanceScale: 2 });
    const expected = (await alone.advance(4)).x;
    alone.stop();

    const uploads: number[] = [];
    const hosts: SamplingPeerHost[] = [];
    const makeLink = (k: number) => {
      const host = new SamplingPeerHost(() => Promise.resolve());
      hosts.push(host);
      return new SamplingPeerLink({
        loadWeights: (w) => {
          uploads.push(k);
          return host.loadWeights(w);
        },
        predict: (id, r) => host.predict(id, r),
        runSteps: (id, r, onStep) => host.runSteps(id, r, onStep),
        gradients: (r) => host.gradients(r),
      });
    };
    const sampling = new SamplingController();
    await sampling.start(leaseOwnWeights(slot.model), slot.schedule, { ...req, guidanceScale: 2 });
    const a = makeLink(1);
    sampling.setPeerLinks([a], false);
    sampling.setPeerLinks([a, makeLink(2)], false);
    const wait = async () => {
      for (let i = 0; i < 100; i++) await new Promise((r) => setTimeout(r, 5));
    };
    await wait();
    expect(uploads).toEqual([1, 2]);
    const last = await sampling.advance(4);
    expect(last.x).toEqual(expected);
    expect(last.splitCounts?.[0]).toBe(0);
    expect(last.splitCounts?.reduce((x, y) => x + y, 0)).toBe(4);
    // A new run uploads its weights to each worker once.
    await sampling.start(leaseOwnWeights(slot.model), slot.schedule, { ...req, guidanceScale: 2 });
    await wait();
    expect(uploads).toEqual([1, 2, 1, 2]);
    sampling.stop();
    hosts.forEach((h) => h.dispose());
    slot.dispose();
  });
});
