// Training the 2-D score network and using it as a ScoreFn. Two objectives, one network
// (src/model/scoreMlp.ts, s_θ = −ε̂/σ):
//  - 'dsm': denoising score matching over geometric σ levels with λ(σ) = σ² (Song & Ermon 2019,
//    eq. 6; ermongroup/ncsn `anneal_dsm_score_estimation`): ½ σ² ‖s_θ(x̃, σ) + (x̃ − x)/σ²‖²
//    = ½ ‖ε̂ − z‖² with x̃ = x + σ z, σ log-uniform in [σ_min, σ_max];
//  - 'eps': ε-prediction on the VP schedule (Ho et al. 2020, L_simple): t ~ U(ε, 1),
//    x_t = a(t) x + b(t) z, ‖ε̂(x_t/a, b/a) − z‖²; score = −ε̂/b (score_sde get_score_fn).
// Both are reported as the mean per coordinate.
import * as tf from '@tensorflow/tfjs';
import {
  evaluateGmm,
  Gaussian,
  makeSde,
  sampleGmm,
  STREAM2D,
  streamSeed,
  type Preset,
  type ScoreDivFn,
  type ScoreFn,
} from '../../diffusion/score2d';
import { DEFAULT_SCORE_MLP, ScoreMlp } from '../../model/scoreMlp';
import { gridPoints, sdeParamsFor } from './score2dController';
import { DEFAULT_LEARNED, type LearnedScoreOptions } from '../../diffusion/score2d/learnedDefaults';

export {
  DEFAULT_LEARNED,
  type LearnedScoreOptions,
  type Score2dObjective,
} from '../../diffusion/score2d/learnedDefaults';

/** σ_d of a mixture: √(mean of per-coordinate variances). */
function sigmaData(p: Preset): number {
  const g = p.gmm;
  let mx = 0;
  let my = 0;
  for (let k = 0; k < g.weights.length; k++) {
    mx += g.weights[k] * g.means[2 * k];
    my += g.weights[k] * g.means[2 * k + 1];
  }
  let v = 0;
  for (let k = 0; k < g.weights.length; k++) {
    const dx = g.means[2 * k] - mx;
    const dy = g.means[2 * k + 1] - my;
    v += g.weights[k] * (0.5 * (dx * dx + dy * dy) + g.variances[k]);
  }
  return Math.sqrt(v);
}

export class LearnedScore {
  readonly net: ScoreMlp;
  readonly preset: Preset;
  readonly options: LearnedScoreOptions;
  private readonly optimizer: tf.AdamOptimizer;
  private readonly data: Gaussian;
  private readonly noise: Gaussian;
  stepsDone = 0;
  readonly losses: number[] = [];

  constructor(preset: Preset, options: Partial<LearnedScoreOptions> = {}) {
    this.preset = preset;
    this.options = { ...DEFAULT_LEARNED, ...options };
    this.net = new ScoreMlp(
      { ...DEFAULT_SCORE_MLP, sigmaData: sigmaData(preset) },
      this.options.seed + 11,
    );
    this.optimizer = tf.train.adam(this.options.learningRate);
    this.data = new Gaussian(streamSeed(this.options.seed, STREAM2D.training));
    this.noise = new Gaussian(streamSeed(this.options.seed + 1, STREAM2D.training));
  }

  /** One Adam step; returns the loss (mean per coordinate). */
  async trainStep(): Promise<number> {
    const { batch, objective } = this.options;
    const params = sdeParamsFor(this.preset);
    const x0 = sampleGmm(
      this.preset.gmm,
      batch,
      () => this.data.uniformDraw(),
      () => this.data.next(),
    );
    const z = this.noise.fill(new Float64Array(2 * batch));
    const sig = new Float32Array(batch);
    const xin = new Float32Array(2 * batch);
    const vp = makeSde('vp', params);
    for (let i = 0; i < batch; i++) {
      let s: number;
      if (objective === 'dsm') {
        const u = this.noise.uniformDraw();
        // log-uniform σ between σ_min and σ_max: the continuum of NCSN's geometric levels.
        s = params.sigmaMin * Math.pow(params.sigmaMax / params.sigmaMin, u);
      } else {
        const t = 1e-3 + (1 - 1e-3) * this.noise.uniformDraw();
        const m = vp.marginal(t);
        s = m.b / m.a;
      }
      sig[i] = s;
      // x̃ = x + σ z (the VP x_t divided by a(t)).
      xin[2 * i] = x0[2 * i] + s * z[2 * i];
      xin[2 * i + 1] = x0[2 * i + 1] + s * z[2 * i + 1];
    }
    const scale = objective === 'dsm' ? 0.5 : 1;
    const loss = this.optimizer.minimize(
      () =>
        tf.tidy(() => {
          const eps = this.net.predictEps(tf.tensor2d(xin, [batch, 2]), tf.tensor1d(sig));
          return tf.mul(
            tf.mean(tf.square(tf.sub(eps, tf.tensor2d(Float32Array.from(z), [batch, 2])))),
            scale,
          );
        }),
      true,
    ) as tf.Scalar;
    const value = (await loss.data())[0];
    loss.dispose();
    this.stepsDone++;
    this.losses.push(value);
    if (!Number.isFinite(value))
      throw new Error(`the loss became ${value} at step ${this.stepsDone}`);
    return value;
  }

  /** ∇ log p_t at x for the marginal (a, b): s_θ(x/a, b/a)/a, batched in one forward pass. */
  scoreFn(): ScoreFn {
    return async (x, m, out) => {
      const n = x.length >> 1;
      const sigma = m.b / m.a;
      const xs = new Float32Array(x.length);
      for (let i = 0; i < x.length; i++) xs[i] = x[i] / m.a;
      const eps = tf.tidy(() =>
        this.net.predictEps(tf.tensor2d(xs, [n, 2]), tf.fill([n], sigma) as tf.Tensor1D),
      );
      const e = await eps.data();
      eps.dispose();
      const k = -1 / (sigma * m.a);
      for (let i = 0; i < x.length; i++) out[i] = k * e[i];
    };
  }

  /**
   * The score and its exact divergence, for the PF-ODE likelihood: with u = x/a and σ = b/a,
   * s(x) = −ε̂(u, σ)/(σa) and ∇·s = −(∂ε̂₁/∂u₁ + ∂ε̂₂/∂u₂)/(σa²), the two diagonal entries of the
   * network's Jacobian from two gradients (in 2-D no Hutchinson estimate is needed).
   */
  scoreDivFn(): ScoreDivFn {
    return async (x, m, out, div) => {
      const n = x.length >> 1;
      const sigma = m.b / m.a;
      const xs = new Float32Array(x.length);
      for (let i = 0; i < x.length; i++) xs[i] = x[i] / m.a;
      const [eps, divEps] = tf.tidy(() => {
        const u = tf.tensor2d(xs, [n, 2]);
        const sig = tf.fill([n], sigma) as tf.Tensor1D;
        const column = (j: number) => (v: tf.Tensor) =>
          tf.sum(tf.slice(this.net.predictEps(v as tf.Tensor2D, sig), [0, j], [n, 1]));
        const g0 = tf.grad(column(0))(u);
        const g1 = tf.grad(column(1))(u);
        const d = tf.add(tf.slice(g0, [0, 0], [n, 1]), tf.slice(g1, [0, 1], [n, 1])).reshape([n]);
        return [this.net.predictEps(u, sig), d];
      });
      const [e, d] = await Promise.all([eps.data(), divEps.data()]);
      eps.dispose();
      divEps.dispose();
      const k = -1 / (sigma * m.a);
      for (let i = 0; i < x.length; i++) out[i] = k * e[i];
      const kd = k / m.a;
      for (let i = 0; i < n; i++) div[i] = kd * d[i];
    };
  }

  dispose(): void {
    this.net.dispose();
    this.optimizer.dispose();
  }
}

export interface LearnedFieldResult {
  /** The learned score at the arrow grid's centres, interleaved, top row first. */
  score: Float32Array;
  /** log10 ‖s_θ − ∇log p_t‖ on the heat-map grid. */
  errorLog10: Float32Array;
  /**
   * The relative error E‖s_θ − s‖ / E‖s‖ weighted by p_t (where the noised data is) and uniform
   * over the square (everywhere shown).
   */
  relErrorNearData: number;
  relErrorEverywhere: number;
}

/** The learned score on the arrow grid, its error on the heat-map grid, and two summaries. */
export async function learnedField(
  learned: LearnedScore,
  m: { a: number; b: number },
  extent: number,
  grid: number,
  arrows: number,
): Promise<LearnedFieldResult> {
  const fn = learned.scoreFn();
  const xa = gridPoints(extent, arrows);
  const sa = new Float64Array(xa.length);
  await fn(xa, m, sa);
  const xg = gridPoints(extent, grid);
  const sg = new Float64Array(xg.length);
  await fn(xg, m, sg);
  const exact = new Float64Array(xg.length);
  const logDensity = new Float64Array(grid * grid);
  evaluateGmm(learned.preset.gmm, m, xg, { score: exact, logDensity });
  let maxLog = -Infinity;
  for (const v of logDensity) maxLog = Math.max(maxLog, v);
  const errorLog10 = new Float32Array(grid * grid);
  let errW = 0;
  let normW = 0;
  let errU = 0;
  let normU = 0;
  for (let i = 0; i < grid * grid; i++) {
    const e = Math.hypot(sg[2 * i] - exact[2 * i], sg[2 * i + 1] - exact[2 * i + 1]);
    const s = Math.hypot(exact[2 * i], exact[2 * i + 1]);
    const w = Math.exp(logDensity[i] - maxLog);
    errW += w * e;
    normW += w * s;
    errU += e;
    normU += s;
    errorLog10[i] = Math.log10(e + 1e-6);
  }
  return {
    score: Float32Array.from(sa),
    errorLog10,
    relErrorNearData: errW / Math.max(normW, 1e-12),
    relErrorEverywhere: errU / Math.max(normU, 1e-12),
  };
}
