// Training steps shared among workers (partGradient.ts), with the peers in this process: the
// parts' weighted gradients add up to the whole batch's, a split run follows the run done in one
// place, a failing peer costs nothing but its share, and nothing leaks.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initWasmForTests } from '../backends/testing';
import { makeSchedule } from '../../diffusion/schedule';
import { UNet } from '../../model/unet';
import type { UNetConfig } from '../../model/config';
import { mulberry32 } from '../../random/seeded';
import { microConfig, syntheticDataset } from './testing';
import { Trainer, type StepStats, type TrainerOptions } from './trainer';
import {
  PartGradientHost,
  partLossGradient,
  partSizes,
  slicePart,
  type GradientPeer,
  type GradientPeers,
  type PartBatch,
} from './partGradient';

beforeAll(initWasmForTests);

const schedule = makeSchedule({ kind: 'linear', T: 100 });
// 8 channels in two groups: the 3×3 convolutions take the Winograd kernels, as the app's do.
const config: UNetConfig = { ...microConfig(), baseChannels: 8 };
const ds = syntheticDataset(32, 3);
const options: TrainerOptions = { batchSize: 6, learningRate: 1e-3, warmupSteps: 2, seed: 5 };

function randomBatch(n: number, seed: number): Omit<PartBatch, 'dropoutSeed'> {
  const rand = mulberry32(seed);
  const size = n * 8 * 8;
  return {
    x0: Float32Array.from({ length: size }, () => 2 * rand() - 1),
    shape: [n, 8, 8, 1],
    t: Int32Array.from({ length: n }, (_, i) => (i * 37 + 5) % 100),
    labels: Int32Array.from({ length: n }, (_, i) => i % 4),
    // Uniform with variance 1 stands in for ε: the sums do not care how it was drawn.
    noise: Float32Array.from({ length: size }, () => Math.sqrt(3) * (2 * rand() - 1)),
    lossWeights: Float32Array.from({ length: n }, (_, i) => 0.5 + i / n),
  };
}

/** Peers in this process, each with its own PartGradientHost; `fail` makes peer k reject. */
function localPeers(count: number, local: boolean, fail: (k: number) => boolean = () => false) {
  const hosts = Array.from({ length: count }, () => new PartGradientHost());
  const asked: number[] = [];
  const peers: GradientPeer[] = hosts.map((host, k) => ({
    gradients: async (req) => {
      asked.push(k);
      if (fail(k)) throw new Error(`peer ${k} crashed`);
      return host.gradients(req);
    },
  }));
  const source: GradientPeers = { peers: () => peers, localTakesPart: () => local };
  return { source, asked, dispose: () => hosts.forEach((h) => h.dispose()) };
}

async function runSteps(peers: GradientPeers | null, steps: number, cfg: UNetConfig = config) {
  const unet = UNet.create(cfg, { seed: 2, zeroInit: false });
  const initial = await Promise.all(unet.variables().map((v) => v.data<'float32'>()));
  const trainer = new Trainer(unet, ds, schedule, { ...options, reportEvery: steps });
  trainer.setGradientPeers(peers);
  let stats: StepStats | null = null;
  for (let i = 0; i < steps; i++) stats = (await trainer.step()) ?? stats;
  const weights = await Promise.all(unet.variables().map((v) => v.data<'float32'>()));
  trainer.dispose();
  unet.dispose();
  if (!stats) throw new Error('no report');
  return { stats, weights, initial };
}

/** ‖a − b‖₂ over all parameters. */
function distance(a: Float32Array[], b: Float32Array[]): number {
  let sum = 0;
  a.forEach((w, k) => w.forEach((x, i) => (sum += (x - b[k][i]) ** 2)));
  return Math.sqrt(sum);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('partSizes and slicePart', () => {
  it('cut a batch into near-equal contiguous parts', () => {
    expect(partSizes(32, 2)).toEqual([16, 16]);
    expect(partSizes(7, 3)).toEqual([3, 2, 2]);
    expect(partSizes(2, 5)).toEqual([1, 1]);
    expect(partSizes(5, 0)).toEqual([5]);
    const whole = randomBatch(5, 1);
    const p = slicePart(whole, 2, 2, 9);
    expect(p.shape).toEqual([2, 8, 8, 1]);
    expect(Array.from(p.t)).toEqual(Array.from(whole.t.slice(2, 4)));
    expect(Array.from(p.x0)).toEqual(Array.from(whole.x0.slice(128, 256)));
    expect(Array.from(p.noise)).toEqual(Array.from(whole.noise.slice(128, 256)));
    expect(p.lossWeights?.[0]).toBe(whole.lossWeights?.[2]);
    expect(p.dropoutSeed).toBe(9);
  });
});

describe('partLossGradient', () => {
  it('sums to the whole batch gradient when each part is weighted by its share', async () => {
    const unet = UNet.create(config, { seed: 3, zeroInit: false });
    const vars = unet.variables();
    const before = tf.memory().numTensors;
    const whole = randomBatch(5, 7);
    const all = partLossGradient(unet, vars, schedule, { ...whole, dropoutSeed: 1 });
    const a = partLossGradient(unet, vars, schedule, slicePart(whole, 0, 3, 1));
    const b = partLossGradient(unet, vars, schedule, slicePart(whole, 3, 2, 1));
    const sum = tf.tidy(() => tf.add(tf.mul(a.grad, 3 / 5), tf.mul(b.grad, 2 / 5)));
    const [g, s, pa, pb, pAll] = await Promise.all([
      all.grad.data(),
      sum.data(),
      a.perExample.data(),
      b.perExample.data(),
      all.perExample.data(),
    ]);
    const scale = Math.max(...Array.from(g, Math.abs));
    expect(scale).toBeGreaterThan(0);
    expect(maxAbsDiff(g, s)).toBeLessThan(1e-5 * scale);
    expect(maxAbsDiff(pAll, [...pa, ...pb])).toBeLessThan(1e-6);
    tf.dispose([all.grad, all.perExample, a.grad, a.perExample, b.grad, b.perExample, sum]);
    expect(tf.memory().numTensors).toBe(before);
    unet.dispose();
  });
});

describe('Trainer with gradient peers', () => {
  it('follows the run done in one place, whichever workers take the parts', async () => {
    const alone = await runSteps(null, 3);
    expect(alone.stats.split).toEqual({ images: [6], here: true });
    for (const [count, local] of [
      [2, false],
      [1, true],
      [2, true],
    ] as const) {
      const peers = localPeers(count, local);
      const split = await runSteps(peers.source, 3);
      peers.dispose();
      // Every step went to every peer: 3 steps × count peers.
      expect(peers.asked).toHaveLength(3 * count);
      const workers = count + (local ? 1 : 0);
      expect(split.stats.split).toEqual({ images: partSizes(6, workers), here: local });
      expect(partSizes(6, workers)).toHaveLength(workers);
      for (let i = 0; i < 3; i++) {
        expect(split.stats.stepLosses[i]).toBeCloseTo(alone.stats.stepLosses[i], 5);
      }
      expect(split.stats.gradNorm).toBeCloseTo(alone.stats.gradNorm, 4);
      // Adam divides by √v̂, so a float-level difference in a near-zero gradient can move a
      // weight by up to lr: compare the runs' distance with how far training moved the weights.
      const moved = distance(alone.weights, alone.initial);
      expect(moved).toBeGreaterThan(1e-3);
      expect(distance(split.weights, alone.weights)).toBeLessThan(0.01 * moved);
    }
  });

  it('shares the hybrid loss of a model that learns Σ_θ the same way', async () => {
    const sigma: UNetConfig = { ...config, learnSigma: true };
    const alone = await runSteps(null, 2, sigma);
    const peers = localPeers(1, true);
    const split = await runSteps(peers.source, 2, sigma);
    peers.dispose();
    expect(split.stats.split.images).toEqual([3, 3]);
    for (let i = 0; i < 2; i++) {
      expect(split.stats.stepLosses[i]).toBeCloseTo(alone.stats.stepLosses[i], 5);
    }
    expect(split.stats.gradNorm).toBeCloseTo(alone.stats.gradNorm, 4);
  });

  it('takes the step here when a peer fails, and asks the peers again at the next step', async () => {
    const alone = await runSteps(null, 2);
    let failures = 0;
    const peers = localPeers(2, false, () => failures++ < 1);
    const split = await runSteps(peers.source, 2);
    peers.dispose();
    // Step 1 asked both (one failed, so it ran here), step 2 asked both again.
    expect(peers.asked).toHaveLength(4);
    expect(split.stats.stepLosses[0]).toBe(alone.stats.stepLosses[0]);
    expect(split.stats.stepLosses[1]).toBeCloseTo(alone.stats.stepLosses[1], 5);
  });

  it('takes the step here when a peer answers with the wrong sizes', async () => {
    const alone = await runSteps(null, 1);
    const broken: GradientPeers = {
      peers: () => [
        {
          gradients: async () => ({
            grad: new Float32Array(3),
            perExample: new Float32Array(3),
            ms: 1,
          }),
        },
      ],
      localTakesPart: () => true,
    };
    const split = await runSteps(broken, 1);
    expect(split.stats.split).toEqual({ images: [6], here: true });
    expect(split.stats.stepLosses[0]).toBe(alone.stats.stepLosses[0]);
  });

  it('leaves no tensor behind and shares nothing with fewer than two workers', async () => {
    const unet = UNet.create(config, { seed: 2 });
    const trainer = new Trainer(unet, ds, schedule, { ...options, reportEvery: 2 });
    const alone = localPeers(1, false);
    trainer.setGradientPeers(alone.source);
    // One peer and no part here: the step runs here (a single worker gains nothing by moving).
    await trainer.step();
    expect(alone.asked).toEqual([]);
    await trainer.flush();
    const two = localPeers(1, true);
    trainer.setGradientPeers(two.source);
    // The first split step makes the host's copy of the model; the later ones add nothing.
    await trainer.step();
    await trainer.flush();
    const base = tf.memory().numTensors;
    await trainer.step();
    await trainer.step();
    expect(two.asked).toEqual([0, 0, 0]);
    expect(tf.memory().numTensors).toBe(base);
    const copy = unet.variables().length;
    two.dispose();
    alone.dispose();
    expect(tf.memory().numTensors).toBe(base - copy);
    trainer.dispose();
    unet.dispose();
  });

  it('rejects a request whose weights do not fit the parameters', async () => {
    const host = new PartGradientHost();
    const unet = UNet.create(config, { seed: 2 });
    const req = {
      ...slicePart(randomBatch(2, 3), 0, 2, 1),
      config,
      names: [...unet.params.keys()],
      shapes: unet.variables().map((v) => [...v.shape]),
      weights: new Float32Array(10),
      schedule: { kind: schedule.kind, scaled: false, betas: schedule.betas },
    };
    await expect(host.gradients(req)).rejects.toThrow(/10 weights for parameters of \d+ values/);
    await expect(host.gradients({ ...req, names: req.names.slice(1) })).rejects.toThrow(
      /parameter names for/,
    );
    unet.dispose();
    host.dispose();
  });
});
