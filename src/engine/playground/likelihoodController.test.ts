// The live ELBO run: stratified order over every t, events that add up to computeNllTerms' own
// result, cancellation, one run at a time, and no tensor left behind (wasm, tiny U-Net, T = 12).
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../../data/dataset';
import { sampleBatch } from '../../data/dataset';
import { makeSchedule } from '../../diffusion/schedule';
import { bitsPerDim } from '../../diffusion/vlb';
import { getPreset } from '../../model/presets';
import { UNet } from '../../model/unet';
import { initWasmForTests } from '../backends/testing';
import { computeNllTerms } from '../likelihood/nll';
import {
  LikelihoodCancelled,
  LikelihoodController,
  type LikelihoodEvent,
} from './likelihoodController';
import { leaseSnapshotWeights } from './weights';

const schedule = makeSchedule({ kind: 'linear', T: 12 });
let model: UNet;
const dataset: Dataset = {
  name: 'mnist',
  split: 'test',
  height: 28,
  width: 28,
  channels: 1,
  classNames: Array.from({ length: 10 }, (_, i) => String(i)),
  count: 5,
  images: Uint8Array.from({ length: 5 * 784 }, (_, k) => (k * 53) % 256),
  labels: Uint8Array.from([7, 2, 1, 0, 4]),
};

beforeAll(async () => {
  await initWasmForTests();
  model = UNet.create(getPreset('mnist', 'tiny'), { seed: 4, zeroInit: false });
});
afterAll(() => model.dispose());

const req = {
  firstImage: 1,
  images: 3,
  variance: 'betaTilde' as const,
  conditional: true,
  seed: 6,
  strata: 4,
};

describe('LikelihoodController', () => {
  it('covers every t once, in strata, with the terms computeNllTerms gives', async () => {
    const before = tf.memory().numTensors;
    const events: LikelihoodEvent[] = [];
    const c = new LikelihoodController();
    const r = await c.run({ lease: leaseSnapshotWeights(model), schedule, dataset }, req, (e) =>
      events.push(e),
    );
    expect(r.evaluated).toBe(12);
    expect(tf.memory().numTensors).toBe(before);
    const start = events[0];
    expect(start.type).toBe('start');
    if (start.type !== 'start') return;
    expect(start.labels).toEqual([2, 1, 0]);
    expect(start.prior).toHaveLength(3);
    const terms = events.filter((e) => e.type === 'terms');
    const seen = terms.flatMap((e) => e.indices);
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    // The first pass holds one t from each stratum.
    const first = terms[0].indices.slice(0, start.strata.length);
    const which = first.map((i) => start.strata.findIndex((s) => i >= s.start && i < s.end));
    expect(new Set(which).size).toBe(start.strata.length);
    // Same numbers as the engine function on the same images and seed.
    const batch = sampleBatch(dataset, [1, 2, 3]);
    const x0 = tf.tensor4d(batch.images, batch.shape);
    const ref = await computeNllTerms(model, schedule, x0, {
      variance: 'betaTilde',
      labels: batch.labels,
      seed: 6,
    });
    x0.dispose();
    for (const e of terms) {
      e.indices.forEach((i, k) => {
        e.values[k].forEach((v, n) => expect(v).toBeCloseTo(bitsPerDim(ref.terms[i][n], 784), 4));
      });
    }
  });

  it('refuses a second run and bad requests, and cancels cleanly', async () => {
    const before = tf.memory().numTensors;
    const c = new LikelihoodController();
    await expect(
      c.run(
        { lease: leaseSnapshotWeights(model), schedule, dataset },
        { ...req, images: 9 },
        () => {},
      ),
    ).rejects.toThrow(/outside/);
    let passes = 0;
    // T = 200 and one image: 64 t per pass, so four passes; cancelled after the first.
    const long = makeSchedule({ kind: 'linear', T: 200 });
    const run = c.run(
      { lease: leaseSnapshotWeights(model), schedule: long, dataset },
      { ...req, images: 1 },
      (e) => {
        if (e.type === 'terms' && ++passes === 1) c.cancel();
      },
    );
    await expect(
      c.run({ lease: leaseSnapshotWeights(model), schedule, dataset }, req, () => {}),
    ).rejects.toThrow(/already in progress/);
    await expect(run).rejects.toBeInstanceOf(LikelihoodCancelled);
    expect(passes).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
  });
});
