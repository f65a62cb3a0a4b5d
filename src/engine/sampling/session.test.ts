// SamplingSession on the wasm backend with the MNIST tiny preset (random init), n = 1..2.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { makeSchedule } from '../../diffusion/schedule';
import { getPreset } from '../../model/presets';
import { UNet } from '../../model/unet';
import { initWasmForTests } from '../backends/testing';
import { sampleImages } from './sampleImages';
import { SamplingSession } from './session';
import type { SamplingOptions } from './options';

const schedule = makeSchedule({ kind: 'linear', T: 20 });
// zeroInit: false, else the zero-initialised output conv (DDPM) makes every ε exactly 0.
let cond: UNet;
let uncond: UNet;

beforeAll(async () => {
  await initWasmForTests();
  cond = UNet.create(getPreset('mnist', 'tiny'), { seed: 3, zeroInit: false });
  uncond = UNet.create(
    { ...getPreset('mnist', 'tiny'), numClasses: 0 },
    { seed: 4, zeroInit: false },
  );
});

afterAll(() => {
  cond.dispose();
  uncond.dispose();
});

const ddim = (extra: Partial<SamplingOptions> = {}): SamplingOptions => ({
  n: 2,
  sampler: 'ddim',
  steps: 3,
  classes: [1, 7],
  seed: 11,
  ...extra,
});

async function sample(model: UNet, opts: SamplingOptions): Promise<Float32Array> {
  const s = new SamplingSession(model, schedule, opts);
  try {
    return (await s.run()).x;
  } finally {
    s.dispose();
  }
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('SamplingSession', () => {
  it('is deterministic in the seed (DDIM with η > 0 draws step noise too)', async () => {
    const opts = ddim({ eta: 1, guidanceScale: 2 });
    const a = await sample(cond, opts);
    const b = await sample(cond, opts);
    const c = await sample(cond, { ...opts, seed: 12 });
    expect(a.length).toBe(2 * 28 * 28);
    expect(a.every(Number.isFinite)).toBe(true);
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(maxAbsDiff(a, c)).toBeGreaterThan(0.1);
  });

  it('batches guidance into one 2n pass equal to two separate passes', async () => {
    const s = new SamplingSession(cond, schedule, ddim({ guidanceScale: 3 }));
    const spy = vi.spyOn(cond, 'apply');
    await s.advance(2);
    expect(spy.mock.calls.map((c) => [c[0].shape[0], c[2]?.shape[0]])).toEqual([
      [4, 4],
      [4, 4],
    ]);
    spy.mockRestore();
    const { step } = await s.current();
    if (!step || !step.epsCond || !step.epsUncond) throw new Error('missing step outputs');
    expect(step.guided).toBe(true);
    expect(step.guidanceScale).toBe(3);
    // Reference: the two predictions, unbatched, then ε_u + s(ε_c − ε_u) in float64.
    const [ec, eu] = tf.tidy(() => {
      const xt = tf.tensor4d(step.xt, s.shape);
      const t = tf.fill([2], step.t, 'int32') as tf.Tensor1D;
      return [cond.apply(xt, t, tf.tensor1d([1, 7], 'int32')), cond.apply(xt, t, null)];
    });
    const [c, u] = [await ec.data(), await eu.data()];
    tf.dispose([ec, eu]);
    expect(maxAbsDiff(c, u)).toBeGreaterThan(1e-3);
    const guided = Array.from(u, (v, i) => v + 3 * (c[i] - v));
    expect(maxAbsDiff(step.epsCond, c)).toBeLessThan(1e-5);
    expect(maxAbsDiff(step.epsUncond, u)).toBeLessThan(1e-5);
    expect(maxAbsDiff(step.eps, guided)).toBeLessThan(1e-5);
    s.dispose();
  });

  it('makes one pass of batch n per step when s = 1 or unconditional', async () => {
    for (const [model, opts] of [
      [cond, ddim()],
      [cond, ddim({ classes: null, guidanceScale: 4 })],
      [uncond, ddim({ classes: null, guidanceScale: 4 })],
    ] as const) {
      const s = new SamplingSession(model, schedule, opts);
      const spy = vi.spyOn(model, 'apply');
      await s.advance(2);
      expect(spy.mock.calls.map((c) => c[0].shape[0])).toEqual([2, 2]);
      expect(spy.mock.calls.every((c) => (c[2] === null) === (opts.classes === null))).toBe(true);
      spy.mockRestore();
      const { step } = await s.current();
      expect(step?.guided).toBe(false);
      if (opts.classes)
        expect(Array.from(step?.epsCond ?? [])).toEqual(Array.from(step?.eps ?? []));
      else expect(step?.epsCond).toBeNull();
      s.dispose();
    }
  });

  it('applies a changed guidance scale from the next step on only', async () => {
    const a = new SamplingSession(cond, schedule, ddim({ steps: 4 }));
    const b = new SamplingSession(cond, schedule, ddim({ steps: 4 }));
    await a.advance(2);
    await b.advance(2);
    b.setGuidanceScale(5);
    expect(Array.from((await b.current()).x)).toEqual(Array.from((await a.current()).x));
    expect((await b.current()).step?.guidanceScale).toBe(1);
    await a.advance(1);
    await b.advance(1);
    const [sa, sb] = [await a.current(), await b.current()];
    expect(sb.step?.guidanceScale).toBe(5);
    expect(sb.step?.guided).toBe(true);
    expect(Array.from(sb.step?.xt ?? [])).toEqual(Array.from(sa.step?.xt ?? []));
    expect(maxAbsDiff(sa.x, sb.x)).toBeGreaterThan(1e-3);
    a.dispose();
    b.dispose();
  });

  it("reports the x̂0 and ε the update used: clipped and re-derived, or the network's own", async () => {
    for (const clipX0 of [true, false]) {
      const s = new SamplingSession(cond, schedule, ddim({ clipX0, guidanceScale: 2 }));
      await s.advance(1);
      const step = (await s.current()).step;
      s.dispose();
      if (!step) throw new Error('no step');
      expect(step.clipX0).toBe(clipX0);
      const ab = schedule.alphaBars[step.t];
      const outside = step.x0Pred.filter((v) => Math.abs(v) > 1).length;
      if (clipX0) {
        expect(outside).toBe(0);
        // ε = (x_t − √ᾱ x̂0)/√(1−ᾱ) from the clipped x̂0, computed here in float64.
        let worst = 0;
        step.epsUsed.forEach((e, i) => {
          const expected = (step.xt[i] - Math.sqrt(ab) * step.x0Pred[i]) / Math.sqrt(1 - ab);
          worst = Math.max(worst, Math.abs(e - expected));
        });
        expect(worst).toBeLessThan(1e-4);
        expect(maxAbsDiff(step.epsUsed, step.eps)).toBeGreaterThan(1e-3);
      } else {
        expect(outside).toBeGreaterThan(0);
        expect(Array.from(step.epsUsed)).toEqual(Array.from(step.eps));
      }
    }
  });

  it('DDIM η = 0 runs the requested respaced steps and ends at t = 0', async () => {
    const s = new SamplingSession(uncond, schedule, ddim({ n: 1, steps: 5, classes: null }));
    expect(s.timesteps).toEqual([19, 14, 10, 5, 0]);
    const ts: number[] = [];
    const snap = await s.run({ onProgress: (p) => void ts.push(p.t) });
    expect(ts).toEqual([19, 14, 10, 5, 0]);
    expect(snap).toMatchObject({ stepsDone: 5, totalSteps: 5, done: true });
    expect(snap.step?.t).toBe(0);
    // Clipped x̂_0 and ᾱ_prev = 1 at the last step: x_0 = x̂_0 ∈ [−1, 1] (DDIM eq. 12).
    expect(maxAbsDiff(snap.x, snap.step?.x0Pred ?? [])).toBeLessThan(1e-6);
    expect(snap.x.every((v) => v >= -1 && v <= 1)).toBe(true);
    await expect(s.advance(1)).resolves.toEqual({ stepsRun: 0, cancelled: false, done: true });
    s.dispose();
  });

  it('DDPM runs all T steps, t = T−1 … 0, and records the trajectory', async () => {
    const opts: SamplingOptions = {
      n: 1,
      sampler: 'ddpm',
      variance: 'betaTilde',
      classes: [3],
      seed: 5,
      recordTrajectory: true,
    };
    const s = new SamplingSession(cond, schedule, opts);
    const every: number[] = [];
    const snap = await s.run({ progressEvery: 8, onProgress: (p) => void every.push(p.stepsDone) });
    expect(every).toEqual([8, 16, 20]);
    expect(snap.stepsDone).toBe(20);
    const { frames, final } = s.trajectory();
    expect(frames.map((f) => f.t)).toEqual(Array.from({ length: 20 }, (_, i) => 19 - i));
    expect(Array.from(frames[19].xt)).toEqual(Array.from(snap.step?.xt ?? []));
    expect(Array.from(final ?? [])).toEqual(Array.from(snap.x));
    s.dispose();
  });

  it('cancels mid-run between steps and resumes to the same result', async () => {
    const opts = ddim({ steps: 6, eta: 0.5 });
    const s = new SamplingSession(cond, schedule, opts);
    const r = await s.advance(6, {
      onProgress: (p) => (p.stepsDone === 2 ? s.cancel() : undefined),
    });
    expect(r).toEqual({ stepsRun: 2, cancelled: true, done: false });
    expect((await s.current()).step?.index).toBe(1);
    // Cancelled from outside while the run waits between steps.
    const pending = s.advance(4);
    await new Promise((resolve) => setImmediate(resolve));
    s.cancel();
    const r2 = await pending;
    expect(r2.cancelled).toBe(true);
    expect(r2.stepsRun).toBeGreaterThan(0);
    expect(r2.stepsRun).toBeLessThan(4);
    const finished = await s.run();
    expect(finished.done).toBe(true);
    expect(Array.from(finished.x)).toEqual(Array.from(await sample(cond, opts)));
    s.dispose();
  });

  it('returns memory to the baseline after 5 runs', async () => {
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) {
      const s = new SamplingSession(
        cond,
        schedule,
        ddim({ n: 1, classes: [i], steps: 2, eta: 1, guidanceScale: 2 }),
      );
      await s.advance(1);
      await s.current();
      await s.run();
      s.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects invalid options', () => {
    const bad: Array<[UNet, Partial<SamplingOptions>, RegExp]> = [
      [uncond, { classes: [1, 2] }, /unconditional model/],
      [cond, { classes: [1, 11] }, /integers in \[0, 10\]/],
      [cond, { classes: [1] }, /one label per image/],
      [cond, { steps: 21 }, /steps must be an integer in \[1, 20\]/],
      [cond, { eta: -1 }, /eta must be/],
      [cond, { guidanceScale: Number.NaN }, /guidance scale/],
      [cond, { seed: 0.5 }, /seed must be/],
    ];
    const before = tf.memory().numTensors;
    for (const [model, extra, message] of bad) {
      expect(() => new SamplingSession(model, schedule, ddim(extra))).toThrow(message);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('sampleImages splits n into batches; batch 0 reproduces a session with the same seed', async () => {
    const opts = ddim({ n: 3, steps: 2, classes: [1, 2, 3], guidanceScale: 2 });
    const all = await sampleImages(cond, schedule, { ...opts, batch: 2 });
    const first = await sample(cond, { ...opts, n: 2, classes: [1, 2] });
    const per = 28 * 28;
    expect(all.length).toBe(3 * per);
    expect(Array.from(all.subarray(0, 2 * per))).toEqual(Array.from(first));
    expect(all.subarray(2 * per).every(Number.isFinite)).toBe(true);
  });
});
