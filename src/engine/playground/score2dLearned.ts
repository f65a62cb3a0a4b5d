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
  Gaussian,
  gmmScore,
  makeSde,
  sampleGmm,
  STREAM2D,
  streamSeed,
  type Preset,
  type ScoreFn,
} from '../../diffusion/score2d';
import { DEFAULT_SCORE_MLP, ScoreMlp } from '../../model/scoreMlp';
import { sdeParamsFor } from './score2dController';

export type Score2dObjective = 'dsm' | 'eps';

export interface LearnedScoreOptions {
  objective: Score2dObjective;
  steps: number;
  batch: number;
  learningRate: number;
  seed: number;
}

export const DEFAULT_LEARNED: LearnedScoreOptions = {
  objective: 'dsm',
  steps: 2000,
  batch: 512,
  learningRate: 3e-3,
  seed: 0,
};

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

  dispose(): void {
    this.net.dispose();
    this.optimizer.dispose();
  }
}

/** The learned score on the arrow grid and log10 of its error ‖s_θ − s‖ on the heat-map grid. */
export async function learnedField(
  learned: LearnedScore,
  m: { a: number; b: number },
  extent: number,
  grid: number,
  arrows: number,
): Promise<{ score: Float32Array; errorLog10: Float32Array }> {
  const pts = (n: number) => {
    const x = new Float64Array(2 * n * n);
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) {
        x[2 * (r * n + c)] = -extent + ((c + 0.5) * 2 * extent) / n;
        x[2 * (r * n + c) + 1] = extent - ((r + 0.5) * 2 * extent) / n;
      }
    }
    return x;
  };
  const fn = learned.scoreFn();
  const xa = pts(arrows);
  const sa = new Float64Array(xa.length);
  await fn(xa, m, sa);
  const xg = pts(grid);
  const sg = new Float64Array(xg.length);
  await fn(xg, m, sg);
  const exact = gmmScore(learned.preset.gmm, m, xg);
  const errorLog10 = new Float32Array(grid * grid);
  for (let i = 0; i < grid * grid; i++) {
    const e = Math.hypot(sg[2 * i] - exact[2 * i], sg[2 * i + 1] - exact[2 * i + 1]);
    errorLog10[i] = Math.log10(e + 1e-6);
  }
  return { score: Float32Array.from(sa), errorLog10 };
}
