// The score-based samplers on a model whose ε is exact: data x_0 ~ N(μ, v₀) in every pixel,
// independently, so q(x_t) = N(√ᾱ μ, ᾱ v₀ + 1 − ᾱ) and the optimal ε-prediction is
// E[ε | x_t] = √(1−ᾱ)(x_t − √ᾱ μ)/(ᾱ v₀ + 1 − ᾱ) (score = −(x_t − mean)/var, ε̂ = −√(1−ᾱ)·score).
// A correct sampler must then return samples with mean μ and variance v₀.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeSchedule } from '../../diffusion/schedule';
import { expectNoLeak, useCpu } from '../../diffusion/test-utils/tf';
import type { EpsModel } from './eps';
import type { SamplerKind, SamplingOptions } from './options';
import { makeScorePlan, scoreSamplerNfe, scoreStepsForNfe, SCORE_SAMPLERS } from './scorePlan';
import { scoreStep } from './scoreStep';
import { SamplingSession } from './session';

const schedule = makeSchedule({ kind: 'linear', T: 1000 });
const MU = 0.3;
const V0 = 0.25;
const SIZE = 4;

/** The exact ε of the Gaussian data above, batched over t like the U-Net (no read-back). */
function gaussianModel(): EpsModel {
  const ab = Float32Array.from(schedule.alphaBars);
  return {
    config: { imageSize: SIZE, inChannels: 1, numClasses: 0 },
    apply(x, t) {
      return tf.tidy(() => {
        const a = tf.reshape(tf.gather(tf.tensor1d(ab), t), [-1, 1, 1, 1]);
        const variance = tf.add(tf.mul(a, V0), tf.sub(1, a));
        const centred = tf.sub(x, tf.mul(tf.sqrt(a), MU));
        return tf.div(tf.mul(tf.sqrt(tf.sub(1, a)), centred), variance) as tf.Tensor4D;
      });
    },
  };
}

async function sample(
  sampler: SamplerKind,
  steps: number,
  n: number,
  seed = 5,
  extra: Partial<SamplingOptions> = {},
): Promise<Float32Array> {
  const opts: SamplingOptions = { n, sampler, steps, classes: null, seed, clipX0: false, ...extra };
  const s = new SamplingSession(gaussianModel(), schedule, opts);
  try {
    const snap = await s.run();
    expect(snap.done).toBe(true);
    expect(snap.nfeDone).toBe(snap.totalNfe);
    return snap.x;
  } finally {
    s.dispose();
  }
}

function meanVar(x: Float32Array): { mean: number; variance: number } {
  let m = 0;
  for (const v of x) m += v;
  m /= x.length;
  let q = 0;
  for (const v of x) q += (v - m) ** 2;
  return { mean: m, variance: q / (x.length - 1) };
}

beforeAll(useCpu);

describe('score-based samplers on an exact Gaussian ε-model', () => {
  // 256 images × 16 pixels = 4,096 i.i.d. values. Standard errors: mean √(v₀/N) = 0.0078,
  // variance v₀√(2/N) = 0.0055. Tolerances: 4 standard errors (a false alarm about 1 in 16,000
  // per check) plus an allowance for each sampler's discretisation bias at these step counts,
  // as a fraction of v₀ (measured with this seed: EM at 200 steps +4.8%, pc at 100 −0.7%,
  // annealed Langevin +5.6%: Langevin relaxes slowly once σ̄ < √v₀, so its variance lags).
  // The prior x_T ~ N(0, 1) misses both by far (next test), so every check can fail.
  const N = 256;
  const cases: [SamplerKind, number, number, Partial<SamplingOptions>][] = [
    ['euler-maruyama', 200, 0.05, {}],
    ['pf-ode', 50, 0.01, {}],
    ['pc', 100, 0.03, {}],
    // NCSN-style: several Langevin steps per level (Song & Ermon 2019 use 100).
    ['annealed-langevin', 50, 0.08, { langevinSteps: 10, langevinStepRatio: 0.5 }],
    ['ddim', 100, 0.01, {}],
  ];
  it.each(cases)(
    '%s (%i levels) reproduces the data mean and variance',
    async (sampler, steps, bias, extra) => {
      const x = await sample(sampler, steps, N, 5, extra);
      const { mean, variance } = meanVar(x);
      expect(Math.abs(mean - MU)).toBeLessThan(4 * Math.sqrt(V0 / x.length) + 0.01);
      expect(Math.abs(variance - V0)).toBeLessThan(4 * V0 * Math.sqrt(2 / x.length) + bias * V0);
    },
  );

  it('fails for a wrong model: samplers are sensitive to the score (the test can fail)', async () => {
    // The same sampler on x_T alone (no steps taken) is N(0, 1), far from N(0.3, 0.25).
    const s = new SamplingSession(gaussianModel(), schedule, {
      n: N,
      sampler: 'pf-ode',
      steps: 10,
      classes: null,
      seed: 5,
      clipX0: false,
    });
    try {
      const { mean, variance } = meanVar((await s.current()).x);
      expect(Math.abs(mean - MU)).toBeGreaterThan(0.2);
      expect(Math.abs(variance - V0)).toBeGreaterThan(0.5);
    } finally {
      s.dispose();
    }
  });

  it('the probability-flow ODE draws no noise and is a function of x_T alone', async () => {
    const plan = makeScorePlan(schedule, { sampler: 'pf-ode', steps: 8 });
    const model = gaussianModel();
    const x = tf.randomNormal([2, SIZE, SIZE, 1], 0, 1, 'float32', 9) as tf.Tensor4D;
    let cur = x;
    for (const st of plan) {
      expect(st.sigma).toBe(0);
      const { pred, result } = scoreStep(
        st,
        cur,
        (xx, t) => {
          const eps = model.apply(xx, tf.fill([xx.shape[0]], t, 'int32') as tf.Tensor1D, null);
          return { eps, epsCond: null, epsUncond: eps };
        },
        () => {
          throw new Error('the ODE asked for noise');
        },
        false,
      );
      pred.eps.dispose();
      result.x0Pred.dispose();
      result.epsUsed.dispose();
      if (cur !== x) cur.dispose();
      cur = result.xPrev;
    }
    cur.dispose();
    x.dispose();
    // Two seeds that share x_T (the initial stream) give the same sample: same seed, same x.
    const a = await sample('pf-ode', 10, 4, 1);
    const b = await sample('pf-ode', 10, 4, 1);
    expect(Array.from(a)).toEqual(Array.from(b));
  });

  it('DDIM (η = 0) and the Heun ODE solver converge to the same sample as steps grow', async () => {
    const gap = async (steps: number) => {
      const d = await sample('ddim', steps, 8);
      const o = await sample('pf-ode', steps, 8);
      let m = 0;
      for (let i = 0; i < d.length; i++) m = Math.max(m, Math.abs(d[i] - o[i]));
      return m;
    };
    const g5 = await gap(5);
    const g50 = await gap(50);
    const g500 = await gap(500);
    expect(g50).toBeLessThan(g5 / 4);
    expect(g500).toBeLessThan(g50 / 4);
    // DDIM is the ODE's Euler method in (x̄, σ̄): its error is O(1/K), Heun's O(1/K²).
    expect(g500).toBeLessThan(0.02);
  });

  it('counts network evaluations per sampler and inverts the count', () => {
    for (const sampler of SCORE_SAMPLERS) {
      for (const nfe of [10, 20, 50]) {
        const k = scoreStepsForNfe(sampler, nfe);
        expect(scoreSamplerNfe(sampler, k)).toBeLessThanOrEqual(nfe);
        expect(scoreSamplerNfe(sampler, k + 1)).toBeGreaterThan(nfe);
        const plan = makeScorePlan(schedule, { sampler, steps: k });
        expect(plan.reduce((s, p) => s + p.nfe, 0)).toBe(scoreSamplerNfe(sampler, k));
      }
    }
    expect(scoreSamplerNfe('annealed-langevin', 10, 3)).toBe(30);
    expect(
      makeScorePlan(schedule, { sampler: 'annealed-langevin', steps: 4, langevinSteps: 3 }),
    ).toHaveLength(12);
  });

  it.each(SCORE_SAMPLERS)(
    '%s leaks no tensors (with x̂₀ clipping and guidance-free model)',
    async (sampler) => {
      await expectNoLeak(async () => {
        const s = new SamplingSession(gaussianModel(), schedule, {
          n: 2,
          sampler,
          steps: 4,
          classes: null,
          seed: 3,
          clipX0: true,
        });
        await s.advance(2);
        await s.current();
        await s.run();
        s.dispose();
      });
    },
  );
});
