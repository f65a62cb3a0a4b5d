// The two ends of the sampling peer in one process: the link uploads a lease's weights to a host
// (what the peer worker runs), which then computes ε parts equal to the model's own.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSchedule } from '../../diffusion/schedule';
import { getPreset } from '../../model/presets';
import { UNet } from '../../model/unet';
import { initWasmForTests } from '../backends/testing';
import { makePlan } from '../sampling/plan';
import { SamplingSession } from '../sampling/session';
import type { SliceRunRequest } from '../sampling/sliceRun';
import { SamplingPeerHost, SamplingPeerLink, type SamplingPeerApi } from './samplingPeer';
import { leaseOwnWeights, leaseSnapshotWeights } from './weights';

let unet: UNet;
const schedule = makeSchedule({ kind: 'cosine', T: 30 });

beforeAll(async () => {
  await initWasmForTests();
  unet = UNet.create(getPreset('mnist', 'tiny'), { seed: 8, zeroInit: false });
});

afterAll(() => unet.dispose());

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 100 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
};

describe('SamplingPeerLink and SamplingPeerHost', () => {
  it('uploads the weights of the run, after which the split run equals the run done here', async () => {
    const host = new SamplingPeerHost(() => Promise.resolve());
    const calls: string[] = [];
    const link = new SamplingPeerLink({
      loadWeights: (w) => {
        calls.push(`load ${w.id}`);
        return host.loadWeights(w);
      },
      predict: (id, req) => {
        calls.push(`predict ${id}`);
        return host.predict(id, req);
      },
      runSteps: (id, req, onStep) => {
        calls.push(`run ${id}: ${req.steps} steps from ${req.start}`);
        return host.runSteps(id, req, onStep);
      },
      gradients: (req) => host.gradients(req),
    });
    const opts = { n: 4, sampler: 'ddim' as const, steps: 3, classes: [0, 1, 2, 3], seed: 2 };
    const alone = new SamplingSession(unet, schedule, { ...opts, guidanceScale: 2 });
    const expected = (await alone.run()).x;
    alone.dispose();

    // A snapshot lease, released right after the upload started (as a run that ends at once).
    const lease = leaseSnapshotWeights(unet);
    const peer = link.forLease(lease);
    lease.release();
    expect(peer).not.toBeNull();
    await until(() => peer?.ready() === true);
    expect(peer?.ready()).toBe(true);
    const before = tf.memory().numTensors;
    const split = new SamplingSession(unet, schedule, { ...opts, guidanceScale: 2 });
    split.setPeers(peer ? [peer] : [], false);
    // One step on its own (split), then the other two as one run of steps.
    await split.advance(1);
    const x = (await split.run()).x;
    expect(split.splitCounts).toEqual([0, 4]);
    split.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(x).toEqual(expected);
    expect(calls).toEqual(['load 1', 'predict 1', 'run 1: 2 steps from 1']);

    // A newer upload replaces the copy: the older run's peer is no longer ready.
    const next = link.forLease(leaseOwnWeights(unet));
    await until(() => next?.ready() === true);
    expect(peer?.ready()).toBe(false);
    await expect(host.predict(1, { ...dummy(), shape: [1, 28, 28, 1] })).rejects.toThrow(
      /other weights/,
    );
    // Asked through the link, that stale request fails without marking the worker broken.
    await expect(peer?.predict({ ...dummy(), shape: [1, 28, 28, 1] })).rejects.toThrow(
      /other weights/,
    );
    expect(link.failure).toBeNull();
    expect(next?.ready()).toBe(true);
    host.dispose();
  });

  it('stops offering a peer whose upload or request failed', async () => {
    const broken: SamplingPeerApi = {
      loadWeights: () => Promise.reject(new Error('the peer could not start wasm (cpu)')),
      predict: () => Promise.reject(new Error('unused')),
      runSteps: () => Promise.reject(new Error('unused')),
      gradients: () => Promise.reject(new Error('unused')),
    };
    const link = new SamplingPeerLink(broken);
    const peer = link.forLease(leaseOwnWeights(unet));
    await until(() => link.failure !== null);
    expect(peer?.ready()).toBe(false);
    expect(link.failure).toMatch(/could not start wasm/);
    expect(link.forLease(leaseOwnWeights(unet))).toBeNull();
    // A worker that never answers (crashed) fails the request after the time limit.
    const silent = new SamplingPeerLink(
      {
        loadWeights: async () => {},
        predict: () => new Promise(() => {}),
        runSteps: () => new Promise(() => {}),
        gradients: () => new Promise(() => {}),
      },
      30,
    );
    const mute = silent.forLease(leaseOwnWeights(unet));
    await until(() => mute?.ready() === true);
    await expect(mute?.predict({ ...dummy(), shape: [1, 28, 28, 1] })).rejects.toThrow(
      /did not answer within 30 ms/,
    );
    expect(mute?.ready()).toBe(false);
    // A lease that is not a plain U-Net (no weights to copy) gets no peer.
    const ok = new SamplingPeerLink({ ...broken, loadWeights: async () => {} });
    expect(ok.forLease({ model: unet, release: () => {} })).toBeNull();
  });

  it('gives a run of steps the time limit per step reported, not for the whole run', async () => {
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const result = { x: new Float32Array(1), last: [], layout: dummyLayout, ms: 1 };
    // Reports a step every 20 ms (a limit of 60 ms per step), then, stuck, nothing more.
    const worker = (stuckAfter: number): SamplingPeerApi => ({
      loadWeights: async () => {},
      predict: () => Promise.reject(new Error('unused')),
      gradients: () => Promise.reject(new Error('unused')),
      runSteps: async (_, req, onStep) => {
        for (let i = 0; i < req.steps; i++) {
          await sleep(i === stuckAfter ? 1000 : 20);
          onStep(req.start + i);
        }
        return result;
      },
    });
    const run = { ...dummyRun(), steps: 8 };
    const slow = new SamplingPeerLink(worker(-1), 60).forLease(leaseOwnWeights(unet));
    await until(() => slow?.ready() === true);
    const steps: number[] = [];
    // 8 steps take ~160 ms, more than the limit, but no step does.
    await expect(slow?.runSteps(run, (i) => steps.push(i))).resolves.toBe(result);
    expect(steps).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const stuckLink = new SamplingPeerLink(worker(3), 60);
    const stuck = stuckLink.forLease(leaseOwnWeights(unet));
    await until(() => stuck?.ready() === true);
    await expect(stuck?.runSteps(run, () => {})).rejects.toThrow(/did not answer within 60 ms/);
    expect(stuckLink.failure).toMatch(/did not answer/);
  });

  it('stops sharing training steps with a worker whose part failed or stayed silent', async () => {
    const unused = () => Promise.reject(new Error('unused'));
    const api = (gradients: SamplingPeerApi['gradients']): SamplingPeerApi => ({
      loadWeights: async () => {},
      predict: unused,
      runSteps: unused,
      gradients,
    });
    const req = {} as Parameters<SamplingPeerApi['gradients']>[0];
    const ok = { grad: new Float32Array(1), perExample: new Float32Array(1), ms: 1 };
    const working = new SamplingPeerLink(api(async () => ok));
    expect(await working.gradientPeer()?.gradients(req)).toBe(ok);
    expect(working.gradientPeer()).not.toBeNull();
    const crashing = new SamplingPeerLink(api(() => Promise.reject(new Error('out of memory'))));
    await expect(crashing.gradientPeer()?.gradients(req)).rejects.toThrow(/out of memory/);
    expect(crashing.gradientPeer()).toBeNull();
    expect(crashing.gradientFailure).toMatch(/out of memory/);
    // Sampling goes on with it: only training steps stop going there.
    expect(crashing.failure).toBeNull();
    const silent = new SamplingPeerLink(api(() => new Promise(() => {})));
    await expect(silent.gradientPeer(30)?.gradients(req)).rejects.toThrow(
      /did not answer within 30 ms/,
    );
    expect(silent.gradientPeer(30)).toBeNull();
  });
});

const dummyLayout = { eps: 0, epsCond: -1, epsUncond: -1, v: -1 };

function dummyRun(): SliceRunRequest {
  return {
    x: new Float32Array(28 * 28),
    classes: null,
    guidanceScale: 1,
    shape: [1, 28, 28, 1],
    plan: makePlan(schedule, { sampler: 'ddim', steps: 8, eta: 0, variance: 'betaTilde' }),
    start: 0,
    steps: 1,
    clipX0: true,
    seed: 0,
    batch: 1,
    offset: 0,
  };
}

function dummy() {
  return {
    x: new Float32Array(28 * 28),
    modelT: 3,
    classes: null,
    guidanceScale: 1,
    withVariance: false,
  };
}
