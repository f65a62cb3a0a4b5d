// runSlice on its own: a part's run equals that part of the run done on the whole batch, and a
// request it cannot run fails without leaving tensors behind.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSchedule } from '../../diffusion/schedule';
import { getPreset } from '../../model/presets';
import { UNet } from '../../model/unet';
import { initWasmForTests } from '../backends/testing';
import { makePlan } from './plan';
import { SamplingSession } from './session';
import { runSlice, type SliceRunRequest } from './sliceRun';

const schedule = makeSchedule({ kind: 'linear', T: 20 });
let model: UNet;

beforeAll(async () => {
  await initWasmForTests();
  model = UNet.create(getPreset('mnist', 'tiny'), { seed: 4, zeroInit: false });
});

afterAll(() => model.dispose());

const perImage = 28 * 28;

describe('runSlice', () => {
  it("takes images 1-2 of 3 through the steps as the whole batch's run does", async () => {
    // DDPM on a respaced schedule: fresh noise at every step but the last.
    const opts = { sampler: 'ddpm', steps: 5, variance: 'betaTilde' } as const;
    const classes = [3, 1, 4];
    const whole = new SamplingSession(model, schedule, { ...opts, n: 3, classes, seed: 9 });
    const x1 = (await whole.current()).x;
    await whole.advance(1);
    const xStart = (await whole.current()).x;
    await whole.advance(3);
    const want = await whole.current();
    whole.dispose();
    expect(x1).not.toEqual(xStart);

    const before = tf.memory().numTensors;
    const indices: number[] = [];
    const req: SliceRunRequest = {
      x: xStart.slice(perImage),
      shape: [2, 28, 28, 1],
      plan: makePlan(schedule, { ...opts, eta: 0 }),
      start: 1,
      steps: 3,
      classes: Int32Array.from(classes.slice(1)),
      guidanceScale: 1,
      clipX0: true,
      seed: 9,
      batch: 3,
      offset: 1,
    };
    const got = await runSlice(model, req, (i) => indices.push(i));
    expect(tf.memory().numTensors).toBe(before);
    expect(indices).toEqual([1, 2, 3]);
    expect(got.x).toEqual(want.x.slice(perImage));
    const [xt, x0Pred, epsUsed, eps] = got.last;
    expect(xt).toEqual(want.step?.xt.slice(perImage));
    expect(x0Pred).toEqual(want.step?.x0Pred.slice(perImage));
    expect(epsUsed).toEqual(want.step?.epsUsed.slice(perImage));
    expect(eps).toEqual(want.step?.eps.slice(perImage));
    // s = 1 with classes: one conditional pass, which is ε itself.
    expect(got.layout).toEqual({ eps: 0, epsCond: 0, epsUncond: -1, v: -1 });
  });

  it('refuses steps outside the plan and score-sampler steps, leaving no tensors', async () => {
    const before = tf.memory().numTensors;
    const base: SliceRunRequest = {
      x: new Float32Array(perImage),
      shape: [1, 28, 28, 1],
      plan: makePlan(schedule, { sampler: 'ddim', steps: 4, eta: 0, variance: 'betaTilde' }),
      start: 3,
      steps: 2,
      classes: null,
      guidanceScale: 1,
      clipX0: true,
      seed: 0,
      batch: 1,
      offset: 0,
    };
    await expect(runSlice(model, base)).rejects.toThrow(/not in the plan/);
    const pc = makePlan(schedule, {
      sampler: 'pc',
      steps: 3,
      eta: 0,
      variance: 'betaTilde',
      snr: 0.16,
    });
    await expect(runSlice(model, { ...base, plan: pc, start: 0, steps: 2 })).rejects.toThrow(
      /do not run in parts/,
    );
    expect(tf.memory().numTensors).toBe(before);
  });
});
