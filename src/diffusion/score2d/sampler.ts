// The 2-D samplers as step-by-step state machines over the particles, so the view can play, pause
// and scrub them and the CLI and tests can run them to the end. Each sampler starts from the same
// standard normal noise z (one per particle, drawn once per seed) mapped to its own prior, so SDE
// and ODE paths from one start can be compared. The score comes from a ScoreFn: the exact
// closed form (gmm.ts) or a learned network (the engine's), asynchronously.
import type { Marginal } from './gmm';
import { Gaussian, normalCdf } from './rng';
import {
  geometricSigmas,
  makeSde,
  SAMPLING_EPS,
  veDiscreteSigmas,
  vpDiscreteBetas,
  type Sde,
  type SdeKind,
  type SdeParams,
} from './sde';
import {
  ancestralStep,
  correctorStepSize,
  langevinUpdate,
  pfOdeVelocity,
  reverseDiffusionStep,
  reverseSdeEulerStep,
} from './updates';

export const SAMPLER_NAMES = [
  'langevin',
  'annealed-langevin',
  'reverse-sde',
  'pf-ode',
  'pc',
  'ddpm',
] as const;
export type SamplerName = (typeof SAMPLER_NAMES)[number];

export function isSamplerName(v: string): v is SamplerName {
  return (SAMPLER_NAMES as readonly string[]).includes(v);
}

export const SAMPLER_LABELS: Record<SamplerName, string> = {
  langevin: 'Langevin dynamics (one noise level)',
  'annealed-langevin': 'Annealed Langevin (NCSN)',
  'reverse-sde': 'Reverse SDE (Euler–Maruyama)',
  'pf-ode': 'Probability-flow ODE',
  pc: 'Predictor–corrector',
  ddpm: 'DDPM ancestral',
};

/** The score of the marginal x_t = a x_0 + b z at the particles x, written into `out`. */
export type ScoreFn = (x: Float64Array, m: Marginal, out: Float64Array) => void | Promise<void>;

export interface SamplerSettings {
  sampler: SamplerName;
  /** reverse-sde, pf-ode and pc: which SDE (ddpm is VP by definition). */
  sde: SdeKind;
  /** N: reverse-sde, pf-ode, pc and ddpm steps; Langevin steps; annealed: T steps per level. */
  steps: number;
  /** Annealed Langevin: number of levels L. */
  levels: number;
  /** Langevin at one level: its σ. */
  sigma: number;
  /** Langevin: step α; annealed: ε in α_i = ε σ_i²/σ_L². */
  stepSize: number;
  /** Annealed Langevin: σ_1 (largest) and σ_L (smallest). */
  sigmaFirst: number;
  sigmaLast: number;
  /** PC: the corrector's signal-to-noise ratio (score_sde default 0.16). */
  snr: number;
  /** pf-ode: Euler (1 score per step) or Heun (2nd order, 2 per step). */
  ode: 'euler' | 'heun';
}

/** Defaults for a data set whose σ_max (sigmaMaxFor) is given. */
export function defaultSettings(sampler: SamplerName, sigmaMax: number): SamplerSettings {
  return {
    sampler,
    sde: 'vp',
    steps: sampler === 'annealed-langevin' ? 100 : sampler === 'langevin' ? 1000 : 500,
    levels: 20,
    sigma: 0.1,
    stepSize: sampler === 'annealed-langevin' ? 5e-4 : 0.01,
    sigmaFirst: sigmaMax,
    sigmaLast: 0.1,
    snr: 0.16,
    ode: 'heun',
  };
}

export function validateSettings(s: SamplerSettings): void {
  const int = (v: number, lo: number, hi: number, what: string) => {
    if (!Number.isInteger(v) || v < lo || v > hi) {
      throw new RangeError(`${what} must be an integer in [${lo}, ${hi}] (got ${v})`);
    }
  };
  const pos = (v: number, what: string) => {
    if (!(v > 0) || !Number.isFinite(v)) throw new RangeError(`${what} must be > 0 (got ${v})`);
  };
  int(s.steps, 1, 100_000, 'steps');
  int(s.levels, 1, 1000, 'levels');
  pos(s.sigma, 'σ');
  pos(s.stepSize, 'step size');
  pos(s.sigmaFirst, 'σ_1');
  pos(s.sigmaLast, 'σ_L');
  if (s.sigmaLast > s.sigmaFirst) throw new RangeError('annealed Langevin needs σ_1 ≥ σ_L');
  if (!(s.snr >= 0) || !Number.isFinite(s.snr)) throw new RangeError('snr must be ≥ 0');
}

/** Number of score evaluations a full run takes. */
export function totalNfe(s: SamplerSettings): number {
  switch (s.sampler) {
    case 'annealed-langevin':
      return s.steps * s.levels;
    case 'pf-ode':
      return s.ode === 'heun' ? 2 * s.steps : s.steps;
    case 'pc':
      return 2 * s.steps;
    default:
      return s.steps;
  }
}

/** What the current state of a run is at, for the UI. */
export interface LevelInfo {
  /** t of the SDE (or the level index for Langevin samplers). */
  t: number | null;
  /** The noise-to-signal ratio b/a of the marginal the particles are at. */
  sigma: number;
}

export class ParticleSampler {
  readonly settings: SamplerSettings;
  readonly sde: Sde;
  readonly n: number;
  /** The particles now. */
  x: Float64Array;
  /** Steps done and in all. */
  stepIndex = 0;
  readonly totalSteps: number;
  nfe = 0;
  private readonly noise: Gaussian;
  private readonly s: Float64Array;
  private readonly s2: Float64Array;
  private readonly z: Float64Array;
  private readonly tmp: Float64Array;
  private readonly mean: Float64Array;
  private readonly sigmas: Float64Array | null;
  private readonly betas: Float64Array | null;
  private readonly veSigmas: Float64Array | null;

  /**
   * @param start standard normal noise, interleaved (2n values), the same for every sampler
   * @param noiseSeed seed of the per-step noise
   * @param extent Langevin's uniform start covers [−extent, extent]²
   */
  constructor(
    settings: SamplerSettings,
    sdeParams: SdeParams,
    start: Float64Array,
    noiseSeed: number,
    extent: number,
  ) {
    validateSettings(settings);
    this.settings = settings;
    const sdeKind: SdeKind = settings.sampler === 'ddpm' ? 'vp' : settings.sde;
    this.sde = makeSde(sdeKind, sdeParams);
    this.n = start.length >> 1;
    this.noise = new Gaussian(noiseSeed);
    const len = start.length;
    this.s = new Float64Array(len);
    this.s2 = new Float64Array(len);
    this.z = new Float64Array(len);
    this.tmp = new Float64Array(len);
    this.mean = new Float64Array(len);
    const N = settings.steps;
    this.sigmas =
      settings.sampler === 'annealed-langevin'
        ? geometricSigmas(settings.sigmaFirst, settings.sigmaLast, settings.levels)
        : null;
    this.betas =
      settings.sampler === 'ddpm' || (settings.sampler === 'pc' && sdeKind !== 've')
        ? vpDiscreteBetas(sdeParams, N)
        : null;
    this.veSigmas =
      settings.sampler === 'pc' && sdeKind === 've' ? veDiscreteSigmas(sdeParams, N) : null;
    this.totalSteps = settings.sampler === 'annealed-langevin' ? N * settings.levels : N;
    this.x = new Float64Array(len);
    this.initialise(start, extent);
  }

  private initialise(start: Float64Array, extent: number): void {
    const { sampler } = this.settings;
    if (sampler === 'langevin') {
      // Uniform on the view square, as NCSN starts its chains (Song & Ermon 2019, Sec. 3.2), via
      // Φ(z) so it is still a function of the shared noise.
      for (let i = 0; i < start.length; i++) this.x[i] = extent * (2 * normalCdf(start[i]) - 1);
      return;
    }
    const std =
      sampler === 'annealed-langevin'
        ? this.settings.sigmaFirst
        : sampler === 'ddpm'
          ? 1
          : this.sde.priorStd;
    for (let i = 0; i < start.length; i++) this.x[i] = std * start[i];
  }

  get done(): boolean {
    return this.stepIndex >= this.totalSteps;
  }

  /** score_sde's time grid linspace(1, ε, N) (sampling.py), or N + 1 points for the ODE. */
  private gridTime(i: number, points: number): number {
    const eps = SAMPLING_EPS[this.sde.kind];
    return points === 1 ? 1 : 1 + ((eps - 1) * i) / (points - 1);
  }

  /** Where the particles are now: the noise level of the marginal they follow. */
  level(): LevelInfo {
    const { sampler, steps } = this.settings;
    const i = Math.min(this.stepIndex, this.totalSteps - 1);
    switch (sampler) {
      case 'langevin':
        return { t: null, sigma: this.settings.sigma };
      case 'annealed-langevin':
        return { t: null, sigma: this.sigmas![Math.floor(i / steps)] };
      case 'ddpm': {
        const ab = this.alphaBar(steps - 1 - i);
        return { t: (steps - i) / steps, sigma: Math.sqrt((1 - ab) / ab) };
      }
      default: {
        const t =
          this.stepIndex >= this.totalSteps ? SAMPLING_EPS[this.sde.kind] : this.stepTime(i);
        const m = this.sde.marginal(t);
        return { t, sigma: m.b / m.a };
      }
    }
  }

  private stepTime(i: number): number {
    return this.settings.sampler === 'pf-ode'
      ? this.gridTime(i, this.settings.steps + 1)
      : this.gridTime(i, this.settings.steps);
  }

  /** ᾱ_j = Π_{k ≤ j} (1 − β_k) of the discrete betas. */
  private alphaBar(j: number): number {
    let ab = 1;
    for (let k = 0; k <= j; k++) ab *= 1 - this.betas![k];
    return ab;
  }

  private async evalScore(score: ScoreFn, x: Float64Array, m: Marginal, out: Float64Array) {
    await score(x, m, out);
    this.nfe++;
  }

  /** One step of the sampler (one Langevin iteration, one predictor(-corrector) or ODE step). */
  async step(score: ScoreFn): Promise<void> {
    if (this.done) return;
    const i = this.stepIndex;
    const last = i === this.totalSteps - 1;
    const { settings: st, x, s, z, mean } = this;
    switch (st.sampler) {
      case 'langevin': {
        await this.evalScore(score, x, { a: 1, b: st.sigma }, s);
        langevinUpdate(x, s, st.stepSize, this.noise.fill(z), x);
        break;
      }
      case 'annealed-langevin': {
        // Song & Ermon 2019, Alg. 1: α_i = ε σ_i² / σ_L², T steps at each level.
        const sig = this.sigmas!;
        const level = Math.floor(i / st.steps);
        const alpha = (st.stepSize * sig[level] * sig[level]) / sig[sig.length - 1] ** 2;
        await this.evalScore(score, x, { a: 1, b: sig[level] }, s);
        langevinUpdate(x, s, alpha, this.noise.fill(z), x);
        break;
      }
      case 'reverse-sde': {
        // score_sde EulerMaruyamaPredictor: t on linspace(1, ε, N), dt = −1/N; the last step
        // returns the mean (no noise), as score_sde's samplers do (`noise_removal`).
        const t = this.gridTime(i, st.steps);
        await this.evalScore(score, x, this.sde.marginal(t), s);
        const dt = -1 / st.steps;
        reverseSdeEulerStep(
          x,
          s,
          this.sde.driftCoef(t),
          this.sde.diffusion(t),
          dt,
          last ? null : this.noise.fill(z),
          x,
          mean,
        );
        break;
      }
      case 'pf-ode': {
        const t0 = this.gridTime(i, st.steps + 1);
        const t1 = this.gridTime(i + 1, st.steps + 1);
        await this.odeStep(score, t0, t1);
        break;
      }
      case 'pc': {
        // score_sde pc_sampler: corrector first, then predictor, at each t of linspace(1, ε, N).
        const t = this.gridTime(i, st.steps);
        const m = this.sde.marginal(t);
        const idx = Math.floor(t * (st.steps - 1));
        await this.evalScore(score, x, m, s);
        this.noise.fill(z);
        const alpha = this.betas ? 1 - this.betas[idx] : 1;
        const eps = correctorStepSize(s, z, st.snr, alpha);
        langevinUpdate(x, s, eps, z, x);
        await this.evalScore(score, x, m, s);
        const { fc, G } = this.discretised(t, idx);
        reverseDiffusionStep(x, s, fc, G, last ? null : this.noise.fill(z), x, mean);
        break;
      }
      case 'ddpm': {
        // Discrete index j = N−1−i runs down to 0; its marginal is (√ᾱ_j, √(1−ᾱ_j)).
        const j = st.steps - 1 - i;
        const ab = this.alphaBar(j);
        await this.evalScore(score, x, { a: Math.sqrt(ab), b: Math.sqrt(1 - ab) }, s);
        ancestralStep(x, s, this.betas![j], last ? null : this.noise.fill(z), x, mean);
        break;
      }
    }
    this.stepIndex++;
  }

  /**
   * The discretised forward step x_{i+1} = x_i + f_i + G_i z that the reverse-diffusion predictor
   * inverts (score_sde `discretize`): VP f = (√(1−β_i) − 1)x, G = √β_i; VE f = 0,
   * G = √(σ_i² − σ_{i−1}²); sub-VP the generic f = c(t)x/N, G = g(t)/√N.
   */
  private discretised(t: number, idx: number): { fc: number; G: number } {
    const N = this.settings.steps;
    if (this.sde.kind === 'vp') {
      const beta = this.betas![idx];
      return { fc: Math.sqrt(1 - beta) - 1, G: Math.sqrt(beta) };
    }
    if (this.sde.kind === 've') {
      const sig = this.veSigmas!;
      const prev = idx === 0 ? 0 : sig[idx - 1];
      return { fc: 0, G: Math.sqrt(sig[idx] * sig[idx] - prev * prev) };
    }
    return { fc: this.sde.driftCoef(t) / N, G: this.sde.diffusion(t) / Math.sqrt(N) };
  }

  /** One ODE step from t0 to t1 (Euler, or Heun's 2nd-order trapezoid). */
  private async odeStep(score: ScoreFn, t0: number, t1: number): Promise<void> {
    const { x, s, s2, tmp, sde } = this;
    const dt = t1 - t0;
    await this.evalScore(score, x, sde.marginal(t0), s);
    pfOdeVelocity(x, s, sde.driftCoef(t0), sde.diffusion(t0), s);
    if (this.settings.ode === 'euler') {
      for (let k = 0; k < x.length; k++) x[k] += dt * s[k];
      return;
    }
    for (let k = 0; k < x.length; k++) tmp[k] = x[k] + dt * s[k];
    await this.evalScore(score, tmp, sde.marginal(t1), s2);
    pfOdeVelocity(tmp, s2, sde.driftCoef(t1), sde.diffusion(t1), s2);
    for (let k = 0; k < x.length; k++) x[k] += 0.5 * dt * (s[k] + s2[k]);
  }

  /** Runs the remaining steps. */
  async run(score: ScoreFn): Promise<Float64Array> {
    while (!this.done) await this.step(score);
    return this.x;
  }
}

/**
 * Integrates the probability-flow ODE from t0 to t1 with N Heun steps (either direction: data →
 * noise with t0 < t1, noise → data with t0 > t1). Deterministic: no noise is drawn.
 */
export async function integratePfOde(
  sde: Sde,
  score: ScoreFn,
  x: Float64Array,
  t0: number,
  t1: number,
  N: number,
): Promise<Float64Array> {
  const y = Float64Array.from(x);
  const v1 = new Float64Array(y.length);
  const v2 = new Float64Array(y.length);
  const tmp = new Float64Array(y.length);
  for (let i = 0; i < N; i++) {
    const ta = t0 + ((t1 - t0) * i) / N;
    const tb = t0 + ((t1 - t0) * (i + 1)) / N;
    const dt = tb - ta;
    await score(y, sde.marginal(ta), v1);
    pfOdeVelocity(y, v1, sde.driftCoef(ta), sde.diffusion(ta), v1);
    for (let k = 0; k < y.length; k++) tmp[k] = y[k] + dt * v1[k];
    await score(tmp, sde.marginal(tb), v2);
    pfOdeVelocity(tmp, v2, sde.driftCoef(tb), sde.diffusion(tb), v2);
    for (let k = 0; k < y.length; k++) y[k] += 0.5 * dt * (v1[k] + v2[k]);
  }
  return y;
}
