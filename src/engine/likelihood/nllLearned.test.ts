// The ELBO with a learned Σ_θ (Nichol & Dhariwal 2021, eq. 15): a tiny model widened with
// withLearnedSigma whose v output is set to a constant by its bias. v = −1 must give the β̃ bound
// and v = +1 the β bound (at t ≥ 2; at t = 1 the decoder uses β_1 itself rather than β̃_2), term
// by term, against the fixed-variance terms that the same passes compute in float64.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSchedule } from '../../diffusion/schedule';
import { getPreset } from '../../model/presets';
import { UNet, withLearnedSigma } from '../../model/unet';
import { initWasmForTests } from '../backends/testing';
import { computeNllTerms } from './nll';

const schedule = makeSchedule({ kind: 'cosine', T: 8 });
const N = 2;
let base: UNet;
let x0: tf.Tensor4D;

beforeAll(async () => {
  await initWasmForTests();
  base = UNet.create(getPreset('mnist', 'tiny'), { seed: 8, zeroInit: false });
  const host = Float32Array.from({ length: N * 784 }, (_, k) => (2 * ((k * 37) % 256)) / 255 - 1);
  x0 = tf.tensor4d(host, [N, 28, 28, 1]);
});

afterAll(() => {
  base.dispose();
  x0.dispose();
});

/** The base model with v ≡ out everywhere (zero v weights, bias out). */
function constantV(out: number): UNet {
  const m = withLearnedSigma(base);
  const b = m.params.get('conv_out.b') as tf.Variable;
  const c = b.shape[0] / 2;
  tf.tidy(() => b.assign(tf.concat([tf.slice(b, [0], [c]), tf.fill([c], out)])));
  return m;
}

describe('computeNllTerms with a learned Σ_θ', () => {
  it('v = −1 is the β̃ bound and v = +1 the β bound, term by term; nothing leaks', async () => {
    for (const out of [-1, 1]) {
      const m = constantV(out);
      const before = tf.memory().numTensors;
      const r = await computeNllTerms(m, schedule, x0, {
        variance: 'learned',
        labels: null,
        seed: 3,
      });
      expect(tf.memory().numTensors).toBe(before);
      const fixed = r.fixed?.[out < 0 ? 'betaTilde' : 'beta'];
      if (!fixed) throw new Error('the learned run must also give the fixed-variance terms');
      for (let i = out < 0 ? 0 : 1; i < schedule.T; i++) {
        for (let n = 0; n < N; n++) {
          const want = fixed[i][n];
          expect(Math.abs(r.terms[i][n] - want)).toBeLessThan(2e-3 * Math.max(1, Math.abs(want)));
        }
      }
      // The fixed-variance run of the ε-only model gives the same β̃ terms: ε̂ is unchanged.
      if (out < 0) {
        const plain = await computeNllTerms(base, schedule, x0, {
          variance: 'betaTilde',
          labels: null,
          seed: 3,
        });
        plain.terms.forEach((row, i) =>
          row.forEach((v, n) => expect(fixed[i][n]).toBeCloseTo(v, 6)),
        );
      }
      m.dispose();
    }
  });

  it('refuses "learned" for a model without Σ_θ', async () => {
    await expect(
      computeNllTerms(base, schedule, x0, { variance: 'learned', labels: null, seed: 3 }),
    ).rejects.toThrow(/learn-sigma/);
  });
});
