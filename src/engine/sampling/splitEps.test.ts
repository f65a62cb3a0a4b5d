// A sampling run whose ε is split with a peer gives the images of the run done in one place,
// whether each step is split (splitEps.ts) or the peers take runs of steps (sliceRun.ts): the
// peer here is in-process (a second UNet with copied weights), served by the same code the peer
// worker runs (servePeerEps, runSlice).
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSchedule } from '../../diffusion/schedule';
import { getPreset } from '../../model/presets';
import { UNet } from '../../model/unet';
import { initWasmForTests } from '../backends/testing';
import { DELEGATED_STEPS, SamplingSession } from './session';
import type { SamplingOptions } from './options';
import { servePeerEps, SplitShare, type EpsPeer, type PeerEpsRequest } from './splitEps';
import { runSlice, type SliceRunRequest } from './sliceRun';

const schedule = makeSchedule({ kind: 'linear', T: 20 });
let cond: UNet;
let copy: UNet;

beforeAll(async () => {
  await initWasmForTests();
  cond = UNet.create(
    { ...getPreset('mnist', 'tiny'), learnSigma: true },
    { seed: 3, zeroInit: false },
  );
  const params = new Map([...cond.params].map(([k, v]) => [k, tf.variable(tf.clone(v), false)]));
  copy = new UNet(cond.config, params);
});

afterAll(() => {
  cond.dispose();
  copy.dispose();
});

/**
 * A peer in this process: records its single-step requests and its runs of steps, can be made to
 * fail after that many of them or to be not ready.
 */
function localPeer(opts: { ready?: () => boolean; failAfter?: number } = {}) {
  const requests: PeerEpsRequest[] = [];
  const runs: SliceRunRequest[] = [];
  const fail = () => {
    if (opts.failAfter !== undefined && requests.length + runs.length > opts.failAfter) {
      throw new Error('peer worker closed');
    }
  };
  const peer: EpsPeer = {
    ready: opts.ready ?? (() => true),
    async predict(req) {
      requests.push(req);
      fail();
      return servePeerEps(copy, req);
    },
    async runSteps(req, onStep) {
      runs.push(req);
      fail();
      return runSlice(copy, req, onStep);
    },
  };
  return { peer, requests, runs };
}

/** Runs to the end: in one advance() (runs of steps), or stepwise (every step split anew). */
async function sample(
  opts: SamplingOptions,
  peers: EpsPeer[],
  computeHere = true,
  stepwise = false,
) {
  const s = new SamplingSession(cond, schedule, opts);
  s.setPeers(peers, computeHere);
  try {
    if (stepwise) while (!s.done) await s.advance(1);
    const snap = await s.run();
    return { snap, counts: [...s.splitCounts] };
  } finally {
    s.dispose();
  }
}

const base: SamplingOptions = {
  n: 3,
  sampler: 'ddim',
  steps: 4,
  eta: 1,
  classes: [1, 7, 2],
  seed: 5,
  guidanceScale: 2.5,
};

describe('ε split with a peer worker', () => {
  it('gives the same samples and last-step outputs as the run done here alone', async () => {
    const settings: [SamplingOptions, boolean][] = [
      [base, true],
      [{ ...base, guidanceScale: 1 }, false],
      [{ ...base, classes: null }, true],
      [{ ...base, sampler: 'ddpm', steps: 5, variance: 'learned' }, false],
    ];
    for (const [opts, computeHere] of settings) {
      const alone = await sample(opts, []);
      expect(alone.counts).toEqual([]);
      for (const stepwise of [true, false]) {
        const a1 = localPeer();
        const a2 = localPeer();
        const before = tf.memory().numTensors;
        const split = await sample(opts, [a1.peer, a2.peer], computeHere, stepwise);
        expect(tf.memory().numTensors).toBe(before);
        // Three images: one each here and on both peers, or the peers share them (2 + 1).
        expect(split.counts.reduce((x, y) => x + y, 0)).toBe(3);
        expect(split.counts[0]).toBe(computeHere ? 1 : 0);
        // Stepwise every step is split anew; in one advance() each peer takes runs of steps,
        // one after the other to the end.
        for (const a of [a1, a2]) {
          expect(a.requests.length).toBe(stepwise ? split.snap.totalSteps : 0);
          const ends = a.runs.map((r) => [r.start, r.start + r.steps]);
          expect(ends.flat()).toEqual(
            stepwise ? [] : [0, ...ends.slice(1).flatMap(([b]) => [b, b]), split.snap.totalSteps],
          );
        }
        expect(split.snap.x).toEqual(alone.snap.x);
        const a = alone.snap.step;
        const b = split.snap.step;
        expect(b?.index).toBe(a?.index);
        expect(b?.t).toBe(a?.t);
        expect(b?.guided).toBe(a?.guided);
        expect(b?.xt).toEqual(a?.xt);
        expect(b?.eps).toEqual(a?.eps);
        expect(b?.epsUsed).toEqual(a?.epsUsed);
        expect(b?.epsCond).toEqual(a?.epsCond);
        expect(b?.epsUncond).toEqual(a?.epsUncond);
        expect(b?.x0Pred).toEqual(a?.x0Pred);
      }
    }
  });

  it('runs here until the peer is ready, and alone after the peer fails', async () => {
    let ready = false;
    const late = localPeer({ ready: () => ready });
    const s = new SamplingSession(cond, schedule, base);
    s.setPeers([late.peer], false);
    await s.advance(2);
    expect(late.requests.length + late.runs.length).toBe(0);
    ready = true;
    await s.advance(1);
    await s.advance(1);
    expect(late.requests.length).toBe(2);
    const x = (await s.current()).x;
    s.dispose();

    // Fails on its second request: a step (stepwise), or the first run of steps (2 steps).
    for (const stepwise of [true, false]) {
      const failing = localPeer({ failAfter: 1 });
      const before = tf.memory().numTensors;
      const t = new SamplingSession(cond, schedule, base);
      t.setPeers([failing.peer], false);
      await t.advance(1);
      if (stepwise) while (!t.done) await t.advance(1);
      else await t.advance(3);
      const snap = await t.current();
      expect(t.splitCounts).toEqual([]);
      t.dispose();
      expect(tf.memory().numTensors).toBe(before);
      expect(failing.requests.length + failing.runs.length).toBe(2);
      expect(failing.runs.map((r) => [r.start, r.steps])).toEqual(stepwise ? [] : [[1, 2]]);
      expect(snap.x).toEqual(x);
    }
  });

  it('hands the peers runs of steps, and a new guidance scale waits for the next run', async () => {
    const opts: SamplingOptions = { ...base, steps: 14 };
    const alone = new SamplingSession(cond, schedule, opts);
    const peer = localPeer();
    const split = new SamplingSession(cond, schedule, opts);
    split.setPeers([peer.peer], false);
    try {
      const progress: number[] = [];
      const running = split.advance(14, { onProgress: (p) => void progress.push(p.stepsDone) });
      split.setGuidanceScale(4);
      await running;
      // A session's first run is 2 steps (its speed unknown), later ones as many as fit in
      // DELEGATED_RUN_MS, at most DELEGATED_STEPS: one after the other to the end.
      const runs = peer.runs.map((r) => [r.start, r.steps, r.guidanceScale]);
      expect(runs[0]).toEqual([0, 2, 2.5]);
      let next = 0;
      for (const [start, steps, s] of runs) {
        expect(start).toBe(next);
        expect(steps).toBeGreaterThanOrEqual(2);
        expect(steps).toBeLessThanOrEqual(DELEGATED_STEPS);
        if (start > 0) expect(s).toBe(4);
        next = start + steps;
      }
      expect(next).toBe(14);
      expect(progress).toEqual(Array.from({ length: 14 }, (_, i) => i + 1));
      // Alone, the same s from step 2 on gives the same images.
      await alone.advance(1);
      await alone.advance(1);
      alone.setGuidanceScale(4);
      await alone.run();
      expect((await split.current()).x).toEqual((await alone.current()).x);
    } finally {
      alone.dispose();
      split.dispose();
    }
  });

  it('a cancel during a run of steps stops after it, and the run resumes to the same images', async () => {
    const opts: SamplingOptions = { ...base, steps: 8 };
    const alone = await sample(opts, []);
    const peer = localPeer();
    const s = new SamplingSession(cond, schedule, opts);
    s.setPeers([peer.peer], false);
    try {
      const running = s.advance(8);
      s.cancel();
      const r = await running;
      // The first run (2 steps) was under way: it ends, and nothing starts after it.
      expect(r).toEqual({ stepsRun: 2, cancelled: true, done: false });
      expect(s.stepsDone).toBe(2);
      expect(peer.runs.length).toBe(1);
      await s.run();
      expect((await s.current()).x).toEqual(alone.snap.x);
    } finally {
      s.dispose();
    }
  });

  it('a session disposed during a run of steps frees everything and ends its advance', async () => {
    const before = tf.memory().numTensors;
    const peer = localPeer();
    const s = new SamplingSession(cond, schedule, { ...base, steps: 8 });
    s.setPeers([peer.peer], true);
    const running = s.advance(8);
    s.dispose();
    const r = await running;
    expect(r.cancelled).toBe(true);
    expect(r.done).toBe(false);
    expect(peer.runs.length).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('computes one image, and score samplers, here alone', async () => {
    const { peer, requests } = localPeer();
    const one = await sample({ ...base, n: 1, classes: [4] }, [peer]);
    expect(one.counts).toEqual([]);
    await sample({ ...base, sampler: 'pc', steps: 3, snr: 0.16 }, [peer]);
    expect(requests.length).toBe(0);
  });
});

describe('SplitShare', () => {
  it('starts with equal parts and moves toward the faster side, leaving each part an image', () => {
    const share = new SplitShare();
    const unused = () => Promise.reject(new Error('unused'));
    const fast: EpsPeer = { ready: () => true, predict: unused, runSteps: unused };
    const slow: EpsPeer = { ...fast };
    expect(share.counts([null, fast], 16)).toEqual([8, 8]);
    expect(share.counts([fast, slow], 1)).toEqual([1, 0]);
    expect(share.counts([null, fast, slow], 2).reduce((a, b) => a + b, 0)).toBe(2);
    // 8 images in 40 ms on one, 8 in 80 ms on the other: two thirds and one third.
    for (let i = 0; i < 20; i++) {
      share.update([
        { owner: fast, n: 8, ms: 40 },
        { owner: slow, n: 8, ms: 80 },
      ]);
    }
    expect(share.counts([fast, slow], 15)).toEqual([10, 5]);
    // A part not measured yet counts at the mean rate of the others.
    expect(share.counts([fast, slow, null], 16).reduce((a, b) => a + b, 0)).toBe(16);
    for (let i = 0; i < 40; i++) {
      share.update([
        { owner: fast, n: 15, ms: 1 },
        { owner: slow, n: 1, ms: 1000 },
      ]);
    }
    expect(share.counts([fast, slow], 16)).toEqual([15, 1]);
    share.update([{ owner: slow, n: 8, ms: 0 }]);
    expect(share.counts([fast, slow], 16)).toEqual([15, 1]);
  });
});
