// A sampling run whose ε is split with a peer gives the images of the run done in one place:
// the peer here is in-process (a second UNet with copied weights), served by the same code the
// peer worker runs (servePeerEps).
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSchedule } from '../../diffusion/schedule';
import { getPreset } from '../../model/presets';
import { UNet } from '../../model/unet';
import { initWasmForTests } from '../backends/testing';
import { SamplingSession } from './session';
import type { SamplingOptions } from './options';
import { servePeerEps, SplitShare, type EpsPeer, type PeerEpsRequest } from './splitEps';

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

/** A peer in this process: counts its requests, can be made to fail or to be not ready. */
function localPeer(opts: { ready?: () => boolean; failAfter?: number } = {}) {
  const requests: PeerEpsRequest[] = [];
  const peer: EpsPeer = {
    ready: opts.ready ?? (() => true),
    async predict(req) {
      requests.push(req);
      if (opts.failAfter !== undefined && requests.length > opts.failAfter) {
        throw new Error('peer worker closed');
      }
      return servePeerEps(copy, req);
    },
  };
  return { peer, requests };
}

async function sample(opts: SamplingOptions, peers: EpsPeer[], computeHere = true) {
  const s = new SamplingSession(cond, schedule, opts);
  s.setPeers(peers, computeHere);
  try {
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
      const a1 = localPeer();
      const a2 = localPeer();
      const before = tf.memory().numTensors;
      const split = await sample(opts, [a1.peer, a2.peer], computeHere);
      expect(tf.memory().numTensors).toBe(before);
      // Three images: one each here and on both peers, or the peers share them (2 + 1).
      expect(split.counts.reduce((x, y) => x + y, 0)).toBe(3);
      expect(split.counts[0]).toBe(computeHere ? 1 : 0);
      expect(a1.requests.length).toBe(split.snap.totalSteps);
      expect(a2.requests.length).toBe(split.snap.totalSteps);
      expect(split.snap.x).toEqual(alone.snap.x);
      const a = alone.snap.step;
      const b = split.snap.step;
      expect(b?.eps).toEqual(a?.eps);
      expect(b?.epsCond).toEqual(a?.epsCond);
      expect(b?.epsUncond).toEqual(a?.epsUncond);
      expect(b?.x0Pred).toEqual(a?.x0Pred);
    }
  });

  it('runs here until the peer is ready, and alone after the peer fails', async () => {
    let ready = false;
    const late = localPeer({ ready: () => ready });
    const s = new SamplingSession(cond, schedule, base);
    s.setPeers([late.peer], false);
    await s.advance(2);
    expect(late.requests.length).toBe(0);
    ready = true;
    await s.advance(2);
    expect(late.requests.length).toBe(2);
    const x = (await s.current()).x;
    s.dispose();

    const failing = localPeer({ failAfter: 1 });
    const before = tf.memory().numTensors;
    const run = await sample(base, [failing.peer], false);
    expect(tf.memory().numTensors).toBe(before);
    expect(failing.requests.length).toBe(2);
    expect(run.counts).toEqual([]);
    expect(run.snap.x).toEqual(x);
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
    const fast: EpsPeer = { ready: () => true, predict: () => Promise.reject(new Error('unused')) };
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
