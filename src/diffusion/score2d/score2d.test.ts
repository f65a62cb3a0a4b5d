// Statistical and exact checks of the 2-D score mathematics. Every random draw is seeded; the
// tolerances are stated beside each assertion.
import { describe, expect, it } from 'vitest';
import { evaluateGmm, gmmLogDensity, gmmScore, sampleGmm, type Gmm, type Marginal } from './gmm';
import { makePreset, PRESET_NAMES, sigmaMaxFor, drawnPreset } from './presets';
import {
  makeSde,
  veSigma,
  vpDiscreteBetas,
  VP_BETA_MAX,
  VP_BETA_MIN,
  VE_SIGMA_MIN,
  type SdeParams,
} from './sde';
import {
  ParticleSampler,
  defaultSettings,
  integratePfOde,
  totalNfe,
  type SamplerName,
  type ScoreFn,
} from './sampler';
import { ancestralStep, reverseSdeEulerStep } from './updates';
import { Gaussian } from './rng';
import { componentFractions, groupWeights, slicedWasserstein } from './metrics';
import { pfOdeLogLikelihood } from './likelihood';
import { simulateForwardSde } from './forward';

const PARAMS: SdeParams = {
  betaMin: VP_BETA_MIN,
  betaMax: VP_BETA_MAX,
  sigmaMin: VE_SIGMA_MIN,
  sigmaMax: 50,
};

function randomPoints(n: number, extent: number, seed: number): Float64Array {
  const g = new Gaussian(seed);
  const x = new Float64Array(2 * n);
  for (let i = 0; i < x.length; i++) x[i] = extent * (2 * g.uniformDraw() - 1);
  return x;
}

const exactScore =
  (g: Gmm): ScoreFn =>
  (x, m, out) => {
    gmmScore(g, m, x, out);
  };

describe('exact score of the presets', () => {
  const marginals: [string, Marginal][] = [
    ['σ = 0.05', { a: 1, b: 0.05 }],
    ['σ = 0.5', { a: 1, b: 0.5 }],
    ['σ = 3', { a: 1, b: 3 }],
    ['VP t = 0.3', makeSde('vp', PARAMS).marginal(0.3)],
    ['sub-VP t = 0.6', makeSde('subvp', PARAMS).marginal(0.6)],
  ];
  for (const name of PRESET_NAMES) {
    for (const [label, m] of marginals) {
      it(`${name}, ${label}: equals the central difference of log p (rel. 1e-5)`, () => {
        const p = makePreset(name);
        const x = randomPoints(40, p.extent, 11);
        const s = gmmScore(p.gmm, m, x);
        const h = 1e-5;
        for (let i = 0; i < 40; i++) {
          for (let d = 0; d < 2; d++) {
            const xp = Float64Array.from([x[2 * i], x[2 * i + 1]]);
            const xm = Float64Array.from(xp);
            xp[d] += h;
            xm[d] -= h;
            const fd = (gmmLogDensity(p.gmm, m, xp)[0] - gmmLogDensity(p.gmm, m, xm)[0]) / (2 * h);
            expect(Math.abs(s[2 * i + d] - fd)).toBeLessThan(1e-5 * Math.max(1, Math.abs(fd)));
          }
        }
      });
    }
  }

  it('the divergence equals the central difference of the score (rel. 1e-5)', () => {
    for (const name of PRESET_NAMES) {
      const p = makePreset(name);
      const m = { a: 0.8, b: 0.4 };
      const x = randomPoints(20, p.extent, 5);
      const divergence = new Float64Array(20);
      evaluateGmm(p.gmm, m, x, { divergence });
      const h = 1e-5;
      for (let i = 0; i < 20; i++) {
        let fd = 0;
        for (let d = 0; d < 2; d++) {
          const xp = Float64Array.from([x[2 * i], x[2 * i + 1]]);
          const xm = Float64Array.from(xp);
          xp[d] += h;
          xm[d] -= h;
          fd += (gmmScore(p.gmm, m, xp)[d] - gmmScore(p.gmm, m, xm)[d]) / (2 * h);
        }
        expect(Math.abs(divergence[i] - fd)).toBeLessThan(1e-5 * Math.max(1, Math.abs(fd)));
      }
    }
  });

  it('log p of one Gaussian is the closed form', () => {
    const g: Gmm = {
      means: Float64Array.from([1, -2]),
      variances: Float64Array.from([0.5]),
      weights: Float64Array.from([1]),
      groups: Int32Array.from([0]),
    };
    const m = { a: 0.6, b: 0.7 };
    const S = 0.36 * 0.5 + 0.49;
    const x = Float64Array.from([0.3, 0.4]);
    const r2 = (0.3 - 0.6) ** 2 + (0.4 + 1.2) ** 2;
    expect(gmmLogDensity(g, m, x)[0]).toBeCloseTo(-Math.log(2 * Math.PI * S) - r2 / (2 * S), 12);
  });

  it('rejects bad drawn points with a clear error', () => {
    expect(() => drawnPreset([])).toThrow(/at least one point/);
    expect(() => drawnPreset([[Number.NaN, 0]])).toThrow(/finite/);
    expect(drawnPreset([[1, 2]]).gmm.weights[0]).toBe(1);
  });
});

describe('SDE marginals (score_sde sde_lib.py)', () => {
  it("VP's and VE's marginal match score_sde's marginal_prob formulas", () => {
    const vp = makeSde('vp', PARAMS);
    const ve = makeSde('ve', PARAMS);
    for (const t of [0.001, 0.1, 0.5, 0.9, 1]) {
      // score_sde: log_mean_coeff = -0.25 t² (β1 − β0) − 0.5 t β0; std = sqrt(1 − exp(2·lmc))
      const lmc = -0.25 * t * t * (20 - 0.1) - 0.5 * t * 0.1;
      expect(vp.marginal(t).a).toBeCloseTo(Math.exp(lmc), 14);
      expect(vp.marginal(t).b).toBeCloseTo(Math.sqrt(1 - Math.exp(2 * lmc)), 12);
      // VESDE: std = σ_min (σ_max/σ_min)^t, mean = x
      expect(ve.marginal(t)).toEqual({ a: 1, b: 0.01 * Math.pow(50 / 0.01, t) });
      expect(veSigma(PARAMS, t)).toBeCloseTo(0.01 * Math.pow(5000, t), 10);
    }
  });

  it('each marginal solves the moment ODEs of its SDE (dm/dt = c m, dv/dt = 2cv + g²)', () => {
    for (const kind of ['vp', 'subvp', 've'] as const) {
      const sde = makeSde(kind, PARAMS);
      // Start where the marginal is at t0 and integrate mean coefficient and noise variance.
      const t0 = 0.05;
      let a = sde.marginal(t0).a;
      let v = sde.marginal(t0).b ** 2;
      const N = 20000;
      for (let i = 0; i < N; i++) {
        const t = t0 + ((1 - t0) * (i + 0.5)) / N;
        const dt = (1 - t0) / N;
        const c = sde.driftCoef(t);
        const g = sde.diffusion(t);
        // Exponential midpoint steps: exact for constant c, second order overall.
        a *= Math.exp(c * dt);
        v = v * Math.exp(2 * c * dt) + g * g * dt * Math.exp(c * dt);
      }
      const m1 = sde.marginal(1);
      expect(Math.abs(a - m1.a) / m1.a).toBeLessThan(1e-4);
      expect(Math.abs(Math.sqrt(v) - m1.b) / m1.b).toBeLessThan(1e-3);
    }
  });

  it("VP's discrete betas are linspace(β_min/N, β_max/N, N)", () => {
    const b = vpDiscreteBetas(PARAMS, 1000);
    expect(b[0]).toBeCloseTo(1e-4, 15);
    expect(b[999]).toBeCloseTo(0.02, 15);
  });
});

describe('Langevin dynamics', () => {
  it('with the exact score of N(μ, Σ) reaches μ and Σ (4,000 particles, 2,000 steps)', async () => {
    const mu = [1, -2];
    // Σ = [[2, 0.8], [0.8, 1]]; its inverse by hand.
    const det = 2 * 1 - 0.8 * 0.8;
    const P = [1 / det, -0.8 / det, 2 / det];
    const score: ScoreFn = (x, _m, out) => {
      for (let i = 0; i < x.length; i += 2) {
        const dx = x[i] - mu[0];
        const dy = x[i + 1] - mu[1];
        out[i] = -(P[0] * dx + P[1] * dy);
        out[i + 1] = -(P[1] * dx + P[2] * dy);
      }
    };
    const n = 4000;
    const start = new Gaussian(3).fill(new Float64Array(2 * n));
    const st = { ...defaultSettings('langevin', 10), steps: 2000, stepSize: 0.01 };
    const x = await new ParticleSampler(st, PARAMS, start, 4, 6).run(score);
    let mx = 0;
    let my = 0;
    for (let i = 0; i < n; i++) {
      mx += x[2 * i] / n;
      my += x[2 * i + 1] / n;
    }
    let sxx = 0;
    let sxy = 0;
    let syy = 0;
    for (let i = 0; i < n; i++) {
      const dx = x[2 * i] - mx;
      const dy = x[2 * i + 1] - my;
      sxx += (dx * dx) / (n - 1);
      sxy += (dx * dy) / (n - 1);
      syy += (dy * dy) / (n - 1);
    }
    // Standard errors at n = 4000: mean ≈ 0.02, variance ≈ 2.2%·Σ; ULA's bias at α = 0.01 ≈ 0.5%.
    expect(Math.abs(mx - 1)).toBeLessThan(0.08);
    expect(Math.abs(my + 2)).toBeLessThan(0.08);
    expect(Math.abs(sxx - 2)).toBeLessThan(0.2);
    expect(Math.abs(sxy - 0.8)).toBeLessThan(0.12);
    expect(Math.abs(syy - 1)).toBeLessThan(0.1);
  });
});

describe("samplers on Song & Ermon's mixture, exact score, 4,000 samples", () => {
  const p = makePreset('mixture');
  const sigmaMax = sigmaMaxFor(p.gmm);
  const params = { ...PARAMS, sigmaMax };
  const n = 4000;
  const start = new Gaussian(1).fill(new Float64Array(2 * n));
  const weightOfBig = async (
    sampler: SamplerName,
    over: Partial<ReturnType<typeof defaultSettings>> = {},
  ) => {
    const st = { ...defaultSettings(sampler, sigmaMax), ...over };
    const s = new ParticleSampler(st, params, start, 2, p.extent);
    const x = await s.run(exactScore(p.gmm));
    expect(s.nfe).toBe(totalNfe(st));
    return componentFractions(p.gmm, x)[1];
  };

  it('plain Langevin at σ = 0.1 from a uniform start gets the weights wrong (|w − 0.8| > 0.2)', async () => {
    const w = await weightOfBig('langevin', { sigma: 0.1 });
    expect(Math.abs(w - 0.8)).toBeGreaterThan(0.2);
  });

  // Binomial standard error at n = 4000 is 0.0063; ±0.03 leaves room for discretisation bias.
  const cases: [string, SamplerName, Partial<ReturnType<typeof defaultSettings>>][] = [
    ['annealed Langevin (L = 20, T = 100)', 'annealed-langevin', {}],
    ['reverse SDE (VP, Euler–Maruyama, N = 500)', 'reverse-sde', { sde: 'vp' }],
    ['reverse SDE (sub-VP)', 'reverse-sde', { sde: 'subvp' }],
    ['probability-flow ODE (VP, Heun)', 'pf-ode', { sde: 'vp', ode: 'heun' }],
    ['probability-flow ODE (VP, Euler)', 'pf-ode', { sde: 'vp', ode: 'euler' }],
    ['predictor–corrector (VP)', 'pc', { sde: 'vp' }],
    ['predictor–corrector (VE)', 'pc', { sde: 've' }],
    ['DDPM ancestral', 'ddpm', {}],
  ];
  for (const [label, sampler, over] of cases) {
    it(`${label} lands within ±0.03 of 0.8`, async () => {
      const w = await weightOfBig(sampler, over);
      expect(Math.abs(w - 0.8)).toBeLessThan(0.03);
    });
  }

  it('sample-to-data sliced Wasserstein of the reverse SDE is small, of plain Langevin large', async () => {
    const g = new Gaussian(9);
    const data = sampleGmm(
      p.gmm,
      n,
      () => g.uniformDraw(),
      () => g.next(),
    );
    const run = async (sampler: SamplerName) => {
      const s = new ParticleSampler(defaultSettings(sampler, sigmaMax), params, start, 2, p.extent);
      return slicedWasserstein(await s.run(exactScore(p.gmm)), data);
    };
    // SW₂ of two independent 4,000-point data samples is 0.2–0.4 here (it is very sensitive to
    // how many points each mode holds), so "small" means below 0.8.
    expect(await run('reverse-sde')).toBeLessThan(0.8);
    expect(await run('langevin')).toBeGreaterThan(3);
  });
});

describe('probability-flow ODE', () => {
  const p = makePreset('moons');
  const sde = makeSde('vp', PARAMS);

  it('is deterministic and invertible: data → noise → data returns the start (≤ 1e-3)', async () => {
    const g = new Gaussian(21);
    const x0 = sampleGmm(
      p.gmm,
      200,
      () => g.uniformDraw(),
      () => g.next(),
    );
    const score = exactScore(p.gmm);
    const noise = await integratePfOde(sde, score, x0, 1e-3, 1, 400);
    const noise2 = await integratePfOde(sde, score, x0, 1e-3, 1, 400);
    expect(Array.from(noise2)).toEqual(Array.from(noise));
    const back = await integratePfOde(sde, score, noise, 1, 1e-3, 400);
    let worst = 0;
    for (let i = 0; i < x0.length; i++) worst = Math.max(worst, Math.abs(back[i] - x0[i]));
    expect(worst).toBeLessThan(1e-3);
  });

  it('the sampler with the ODE is the same for the same start, whatever the noise seed', async () => {
    const start = new Gaussian(4).fill(new Float64Array(200));
    const st = defaultSettings('pf-ode', 10);
    const a = await new ParticleSampler(st, PARAMS, start, 1, 5).run(exactScore(p.gmm));
    const b = await new ParticleSampler(st, PARAMS, start, 2, 5).run(exactScore(p.gmm));
    expect(Array.from(a)).toEqual(Array.from(b));
  });

  it('its log-likelihood of a centred Gaussian data set matches the closed form (±0.005 nats, 1,000 Heun steps)', async () => {
    // Centred, so the prior N(0, I) (or N(0, σ_max² I)) is the true p_T up to a variance error of
    // about 1e-4; an off-centre mean would add log N(x_T; 0, I) − log p_T(x_T) ≈ a(1)·μ·x_T.
    const g: Gmm = {
      means: Float64Array.from([0, 0]),
      variances: Float64Array.from([0.5]),
      weights: Float64Array.from([1]),
      groups: Int32Array.from([0]),
    };
    const x = randomPoints(50, 2.5, 8);
    for (const kind of ['vp', 'subvp', 've'] as const) {
      const s = makeSde(kind, PARAMS);
      const ll = await pfOdeLogLikelihood(g, s, x, 1000);
      const exact = gmmLogDensity(g, { a: 1, b: 0 }, x);
      for (let i = 0; i < 50; i++) expect(Math.abs(ll[i] - exact[i])).toBeLessThan(0.005);
    }
  });
});

describe('the VP reverse SDE tends to DDPM ancestral sampling as N grows', () => {
  it('one Euler–Maruyama step and one ancestral step with β_i = β(t)/N differ by O(1/N²)', () => {
    const sde = makeSde('vp', PARAMS);
    const x = Float64Array.from([0.7, -1.2, 2, 0.1]);
    const s = Float64Array.from([-0.5, 1.1, -2, 0.3]);
    const z = Float64Array.from([0.3, -0.8, 1.5, -0.2]);
    const gap = (N: number) => {
      const t = 0.4;
      const e = new Float64Array(4);
      const a = new Float64Array(4);
      const scratch = new Float64Array(4);
      reverseSdeEulerStep(x, s, sde.driftCoef(t), sde.diffusion(t), -1 / N, z, e, scratch);
      ancestralStep(x, s, (VP_BETA_MIN + t * (VP_BETA_MAX - VP_BETA_MIN)) / N, z, a, scratch);
      return Math.max(...e.map((v, i) => Math.abs(v - a[i])));
    };
    const gaps = [100, 200, 400, 800].map(gap);
    for (let k = 1; k < gaps.length; k++) {
      // Halving the step quarters the gap (ratio 4 ± 0.3).
      expect(gaps[k - 1] / gaps[k]).toBeGreaterThan(3.7);
      expect(gaps[k - 1] / gaps[k]).toBeLessThan(4.3);
    }
    expect(gaps[3]).toBeLessThan(1e-4);
  });
});

describe('metrics', () => {
  it('sliced Wasserstein: 0 for the same set, |d|/√2 for a set shifted by d', () => {
    const x = randomPoints(500, 3, 2);
    expect(slicedWasserstein(x, x)).toBe(0);
    const y = x.map((v, i) => (i % 2 === 0 ? v + 2 : v));
    // mean over θ of (2 cos θ)² = 2, so SW₂ = √2.
    expect(slicedWasserstein(x, y)).toBeCloseTo(Math.SQRT2, 10);
  });

  it('component fractions of samples of the data are its weights (±0.02, 4,000 samples)', () => {
    for (const name of ['mixture', 'ring', 'moons', 'checkerboard'] as const) {
      const p = makePreset(name);
      const g = new Gaussian(31);
      const x = sampleGmm(
        p.gmm,
        4000,
        () => g.uniformDraw(),
        () => g.next(),
      );
      const f = componentFractions(p.gmm, x);
      const w = groupWeights(p.gmm);
      for (let k = 0; k < w.length; k++) expect(Math.abs(f[k] - w[k])).toBeLessThan(0.02);
    }
  });
});

describe('forward SDE particles (Euler–Maruyama from the data)', () => {
  it("measure score_sde's marginal mean coefficient and std (4,000 points, 500 steps: ±0.02 and ±3%)", () => {
    const p = makePreset('mixture');
    const g = new Gaussian(31);
    const x0 = sampleGmm(
      p.gmm,
      4000,
      () => g.uniformDraw(),
      () => g.next(),
    );
    for (const kind of ['vp', 'subvp', 've'] as const) {
      const sde = makeSde(kind, { ...PARAMS, sigmaMax: sigmaMaxFor(p.gmm) });
      const run = simulateForwardSde(sde, x0, 500, 5);
      expect(run.snapshots).toHaveLength(501);
      expect(Array.from(run.snapshots[0])).toEqual(Array.from(Float32Array.from(x0)));
      for (const k of [50, 125, 250, 500]) {
        const m = sde.marginal(run.times[k]);
        // â is a least-squares slope over 8,000 coordinates: its noise is b/‖x0‖ ≈ 0.003.
        expect(Math.abs(run.measuredMean[k] - m.a)).toBeLessThan(0.02);
        // b̂ from 8,000 coordinates: sampling error ≈ 0.8%; Euler–Maruyama's bias is O(Δt).
        // VE: started from the data itself, the SDE's variance is σ(t)² − σ_min²; score_sde's
        // marginal_prob calls it σ(t)² (its data already carries σ_min of noise).
        const b = kind === 've' ? Math.sqrt(m.b ** 2 - VE_SIGMA_MIN ** 2) : m.b;
        expect(Math.abs(run.measuredStd[k] / b - 1)).toBeLessThan(0.03);
      }
    }
  });
});
