// The ELBO of a tiny random U-Net on a few MNIST-shaped images: the engine's batched float32 path
// (squared ε error → closed-form KL) against a float64 reference computed pixel by pixel from the
// same noise and the same network outputs with the Gaussian KL of every dimension (vlb.ts).
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSchedule } from '../../diffusion/schedule';
import {
  bitsPerDim,
  decoderNll,
  klTermPerPixel,
  modelLogVariance,
  priorKl,
} from '../../diffusion/vlb';
import { getPreset } from '../../model/presets';
import { UNet } from '../../model/unet';
import { initWasmForTests } from '../backends/testing';
import { streamNoise } from '../sampling/seeds';
import { computeNllTerms, NllAbortedError, summarizeNll } from './nll';

const schedule = makeSchedule({ kind: 'cosine', T: 12 });
const N = 3;
const shape: [number, number, number, number] = [N, 28, 28, 1];
const D = 28 * 28;
let model: UNet;
let x0: tf.Tensor4D;
let host: Float32Array;
const labels = Int32Array.from([3, 1, 4]);

beforeAll(async () => {
  await initWasmForTests();
  model = UNet.create(getPreset('mnist', 'tiny'), { seed: 8, zeroInit: false });
  // Pixels on the 256-level grid, with both extremes present.
  host = Float32Array.from({ length: N * D }, (_, k) => {
    const level = k % 7 === 0 ? 0 : k % 11 === 0 ? 255 : (k * 37) % 256;
    return (2 * level) / 255 - 1;
  });
  x0 = tf.tensor4d(host, shape);
});

afterAll(() => {
  model.dispose();
  x0.dispose();
});

/** The float64 reference: every term from the network's ε̂ on the same x_t. */
async function reference(variance: 'beta' | 'betaTilde', seed: number): Promise<number[][]> {
  const out: number[][] = [];
  for (let i = 0; i < schedule.T; i++) {
    const z = streamNoise(shape, seed, i);
    const noise = await z.data();
    z.dispose();
    const xt = Float64Array.from(
      host,
      (x, k) => schedule.sqrtAlphaBars[i] * x + schedule.sqrtOneMinusAlphaBars[i] * noise[k],
    );
    const eps = tf.tidy(() =>
      model.apply(
        tf.tensor4d(Float32Array.from(xt), shape),
        tf.fill([N], i, 'int32') as tf.Tensor1D,
        tf.tensor1d(labels, 'int32'),
      ),
    );
    const epsPred = await eps.data();
    eps.dispose();
    const row: number[] = [];
    for (let n = 0; n < N; n++) {
      const sl = (a: ArrayLike<number>) =>
        Array.prototype.slice.call(a, n * D, (n + 1) * D) as number[];
      const [x, v, e] = [sl(host), sl(xt), sl(epsPred)];
      if (i === 0) {
        const x0Pred = v.map(
          (vk, k) => schedule.sqrtRecipAlphaBars[0] * vk - schedule.sqrtRecipM1AlphaBars[0] * e[k],
        );
        row.push(decoderNll(schedule, x, x0Pred, modelLogVariance(schedule, 0, variance)));
      } else {
        row.push(klTermPerPixel(schedule, i, x, v, e, modelLogVariance(schedule, i, variance)));
      }
    }
    out.push(row);
  }
  return out;
}

describe('computeNllTerms', () => {
  for (const variance of ['beta', 'betaTilde'] as const) {
    it(`matches the float64 per-pixel reference term by term (σ² = ${variance})`, async () => {
      const before = tf.memory().numTensors;
      const r = await computeNllTerms(model, schedule, x0, {
        variance,
        labels,
        seed: 4,
        batchSize: 5,
      });
      expect(tf.memory().numTensors).toBe(before);
      const ref = await reference(variance, 4);
      for (let i = 0; i < schedule.T; i++) {
        for (let n = 0; n < N; n++) {
          expect(Math.abs(r.terms[i][n] - ref[i][n])).toBeLessThan(
            2e-3 * Math.abs(ref[i][n]) + 1e-3,
          );
        }
      }
      const s = summarizeNll(r);
      const total = (n: number) =>
        ref.reduce((a, row) => a + row[n], 0) +
        priorKl(schedule, host.subarray(n * D, (n + 1) * D));
      const refBpd = [0, 1, 2].map((n) => bitsPerDim(total(n), D));
      // Relative: ~1 000 bits/dim summed in float32 differ from float64 by a few ulps (2e-6 ≈ 16).
      const refMean = refBpd.reduce((a, b) => a + b) / N;
      expect(Math.abs(s.bitsPerDim - refMean) / refMean).toBeLessThan(2e-6);
      expect(s.decoder + s.diffusion + s.prior).toBeCloseTo(s.bitsPerDim, 9);
      expect(s.standardError).toBeGreaterThan(0);
    });
  }

  it('does not depend on the batching, and evaluates only the asked indices', async () => {
    const a = await computeNllTerms(model, schedule, x0, {
      variance: 'beta',
      labels,
      seed: 9,
      batchSize: 2,
      indices: [0, 7, 3],
    });
    const b = await computeNllTerms(model, schedule, x0, {
      variance: 'beta',
      labels,
      seed: 9,
      batchSize: 36,
      indices: [3, 0, 7],
    });
    for (const i of [0, 3, 7])
      for (let n = 0; n < N; n++) expect(a.terms[i][n]).toBeCloseTo(b.terms[i][n], 3);
    expect(Number.isNaN(a.terms[5][0])).toBe(true);
    expect(() => summarizeNll(a)).toThrow(/missing/);
  });

  it('stops when aborted and leaves no tensor', async () => {
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    let passes = 0;
    const run = computeNllTerms(model, schedule, x0, {
      variance: 'beta',
      labels: null,
      seed: 1,
      batchSize: 3,
      signal: controller.signal,
      onTerms: () => {
        if (++passes === 2) controller.abort();
      },
    });
    await expect(run).rejects.toBeInstanceOf(NllAbortedError);
    expect(passes).toBe(2);
    expect(tf.memory().numTensors).toBe(before);
  });
});
