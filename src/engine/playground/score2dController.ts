// The 2-D "Score & SDE" playground's engine side: one data set, its exact score, one sampler run
// stepped by the UI (or run to the end by the CLI), fields for the heat map and arrows, and the
// measurements (component fractions, sliced Wasserstein against data, NFE sweeps). The exact score
// is a closed form on typed arrays (src/diffusion/score2d), so none of this needs tfjs.
import {
  componentFractions,
  defaultSettings,
  drawnPreset,
  evaluateGmm,
  Gaussian,
  groupWeights,
  makePreset,
  makeSde,
  ParticleSampler,
  pfOdeLogLikelihood,
  sampleGmm,
  SAMPLER_NAMES,
  sigmaMaxFor,
  slicedWasserstein,
  STREAM2D,
  streamSeed,
  totalNfe,
  VE_SIGMA_MIN,
  VP_BETA_MAX,
  VP_BETA_MIN,
  type Marginal,
  type PresetName,
  type SamplerName,
  type SamplerSettings,
  type ScoreFn,
  type SdeKind,
  type SdeParams,
  type Preset,
  gmmScore,
} from '../../diffusion/score2d';

/** Which data: a named preset, or points drawn by hand. */
export type Score2dData = { preset: PresetName } | { points: [number, number][] };

/** Where on the noise path a field is shown: an SDE time t ∈ [0, 1] or a plain σ (a = 1). */
export type NoiseLevel = { sde: SdeKind; t: number } | { sigma: number };

export interface DataInfo {
  label: string;
  definition: string;
  extent: number;
  groupNames: string[];
  groupWeights: number[];
  /** σ_max scaled to the data (Song & Ermon 2020, Technique 1): VE's σ_max and annealed σ_1. */
  sigmaMax: number;
}

export interface FieldRequest {
  data: Score2dData;
  level: NoiseLevel;
  /** Heat-map resolution (cells per side). */
  grid: number;
  /** Arrow grid (arrows per side). */
  arrows: number;
}

export interface FieldResult {
  extent: number;
  marginal: Marginal;
  /** b/a: the noise-to-signal ratio of the marginal. */
  sigma: number;
  /** log p at cell centres, row-major from the top row (y = +extent) down. */
  logDensity: Float32Array;
  /** Score at the arrow grid's centres, interleaved, same order. */
  score: Float32Array;
}

export interface RunRequest {
  data: Score2dData;
  settings: SamplerSettings;
  n: number;
  seed: number;
}

export interface RunFrame {
  stepIndex: number;
  totalSteps: number;
  nfe: number;
  done: boolean;
  /** SDE time of the current state (null for the Langevin samplers) and its σ = b/a. */
  t: number | null;
  sigma: number;
  /** All particles now, interleaved float32. */
  x: Float32Array;
  /** Fraction of particles per reported component, and the true weights. */
  fractions: number[];
  /** Sliced Wasserstein (SW₂) to an equal-size data sample; at the end only (else null). */
  sw: number | null;
  /** ms per step, measured in this call. */
  msPerStep: number;
}

export interface SweepPoint {
  sampler: SamplerName;
  steps: number;
  nfe: number;
  sw: number;
  fractions: number[];
}

export const SWEEP_STEPS = [10, 30, 100, 300] as const;

export function resolveData(data: Score2dData): Preset {
  return 'preset' in data ? makePreset(data.preset) : drawnPreset(data.points);
}

export function sdeParamsFor(p: Preset): SdeParams {
  return {
    betaMin: VP_BETA_MIN,
    betaMax: VP_BETA_MAX,
    sigmaMin: VE_SIGMA_MIN,
    sigmaMax: sigmaMaxFor(p.gmm),
  };
}

export function dataInfo(p: Preset): DataInfo {
  return {
    label: p.label,
    definition: p.definition,
    extent: p.extent,
    groupNames: p.groupNames,
    groupWeights: Array.from(groupWeights(p.gmm)),
    sigmaMax: sigmaMaxFor(p.gmm),
  };
}

export function marginalOf(p: Preset, level: NoiseLevel): Marginal {
  if ('sigma' in level) {
    if (!(level.sigma > 0)) throw new RangeError(`σ must be > 0 (got ${level.sigma})`);
    return { a: 1, b: level.sigma };
  }
  if (!(level.t >= 0 && level.t <= 1)) throw new RangeError(`t must be in [0, 1] (got ${level.t})`);
  return makeSde(level.sde, sdeParamsFor(p)).marginal(Math.max(level.t, 1e-3));
}

/** Cell centres of an n×n grid over [−e, e]², top row first. */
export function gridPoints(extent: number, n: number): Float64Array {
  const x = new Float64Array(2 * n * n);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      x[2 * (r * n + c)] = -extent + ((c + 0.5) * 2 * extent) / n;
      x[2 * (r * n + c) + 1] = extent - ((r + 0.5) * 2 * extent) / n;
    }
  }
  return x;
}

export function computeField(req: FieldRequest): FieldResult {
  const p = resolveData(req.data);
  const m = marginalOf(p, req.level);
  const grid = Math.min(256, Math.max(8, Math.round(req.grid)));
  const arrows = Math.min(64, Math.max(4, Math.round(req.arrows)));
  const logDensity = new Float64Array(grid * grid);
  evaluateGmm(p.gmm, m, gridPoints(p.extent, grid), { logDensity });
  const score = gmmScore(p.gmm, m, gridPoints(p.extent, arrows));
  return {
    extent: p.extent,
    marginal: m,
    sigma: m.b / m.a,
    logDensity: Float32Array.from(logDensity),
    score: Float32Array.from(score),
  };
}

export function exactScoreFn(p: Preset): ScoreFn {
  return (x, m, out) => {
    gmmScore(p.gmm, m, x, out);
  };
}

/** The shared starting noise of a seed: the same for every sampler (standard normal, 2n values). */
export function startNoise(seed: number, n: number): Float64Array {
  return new Gaussian(streamSeed(seed, STREAM2D.start)).fill(new Float64Array(2 * n));
}

/** n points of the data, from the seed's data stream (the reference of the distance). */
export function dataSample(p: Preset, seed: number, n: number): Float64Array {
  const g = new Gaussian(streamSeed(seed, STREAM2D.data));
  return sampleGmm(
    p.gmm,
    n,
    () => g.uniformDraw(),
    () => g.next(),
  );
}

export function makeSampler(p: Preset, settings: SamplerSettings, n: number, seed: number) {
  return new ParticleSampler(
    settings,
    sdeParamsFor(p),
    startNoise(seed, n),
    streamSeed(seed, STREAM2D.steps),
    p.extent,
  );
}

export const MAX_PARTICLES = 20_000;

function checkN(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > MAX_PARTICLES) {
    throw new RangeError(
      `number of particles must be an integer in [1, ${MAX_PARTICLES}] (got ${n})`,
    );
  }
}

/** A run the UI steps: start, advance k steps, read frames. One at a time. */
export class Score2dController {
  private run: {
    preset: Preset;
    sampler: ParticleSampler;
    score: ScoreFn;
    seed: number;
  } | null = null;

  start(req: RunRequest, score?: ScoreFn): RunFrame {
    checkN(req.n);
    const preset = resolveData(req.data);
    const sampler = makeSampler(preset, req.settings, req.n, req.seed);
    this.run = { preset, sampler, score: score ?? exactScoreFn(preset), seed: req.seed };
    return this.frame(0);
  }

  async advance(k: number): Promise<RunFrame> {
    const r = this.run;
    if (!r) throw new Error('no sampling run: press Sample first');
    if (!Number.isInteger(k) || k < 1)
      throw new RangeError(`k must be a positive integer (got ${k})`);
    const t0 = performance.now();
    let done = 0;
    for (; done < k && !r.sampler.done; done++) await r.sampler.step(r.score);
    return this.frame(done === 0 ? 0 : (performance.now() - t0) / done);
  }

  private frame(msPerStep: number): RunFrame {
    const { sampler, preset, seed } = this.run!;
    const level = sampler.level();
    const done = sampler.done;
    return {
      stepIndex: sampler.stepIndex,
      totalSteps: sampler.totalSteps,
      nfe: sampler.nfe,
      done,
      t: level.t,
      sigma: level.sigma,
      x: Float32Array.from(sampler.x),
      fractions: Array.from(componentFractions(preset.gmm, sampler.x)),
      sw: done ? slicedWasserstein(sampler.x, dataSample(preset, seed, sampler.n)) : null,
      msPerStep,
    };
  }
}

/**
 * Sample-to-data distance against the number of score evaluations: each sampler at each step
 * count of SWEEP_STEPS, n particles, exact score. `onPoint` hears of each point as it is done.
 */
export async function sweepNfe(
  data: Score2dData,
  base: Record<SamplerName, SamplerSettings>,
  n: number,
  seed: number,
  onPoint?: (p: SweepPoint) => void,
  shouldStop?: () => boolean,
): Promise<SweepPoint[]> {
  checkN(n);
  const preset = resolveData(data);
  const reference = dataSample(preset, seed, n);
  const score = exactScoreFn(preset);
  const out: SweepPoint[] = [];
  for (const sampler of SAMPLER_NAMES) {
    for (const steps of SWEEP_STEPS) {
      if (shouldStop?.()) return out;
      // Annealed Langevin's steps are per level: keep its NFE comparable with the others.
      const st = {
        ...base[sampler],
        steps:
          sampler === 'annealed-langevin'
            ? Math.max(1, Math.round(steps / base[sampler].levels))
            : steps,
      };
      const s = makeSampler(preset, st, n, seed);
      const x = await s.run(score);
      const point: SweepPoint = {
        sampler,
        steps: st.steps,
        nfe: totalNfe(st),
        sw: slicedWasserstein(x, reference),
        fractions: Array.from(componentFractions(preset.gmm, x)),
      };
      out.push(point);
      onPoint?.(point);
    }
  }
  return out;
}

/** Default settings of every sampler for a data set. */
export function allDefaults(p: Preset): Record<SamplerName, SamplerSettings> {
  const sm = sigmaMaxFor(p.gmm);
  return Object.fromEntries(SAMPLER_NAMES.map((s) => [s, defaultSettings(s, sm)])) as Record<
    SamplerName,
    SamplerSettings
  >;
}

/** The PF-ODE log-likelihood (exact score) of held-out data points: mean nats per point. */
export async function heldOutLogLikelihood(
  data: Score2dData,
  sde: SdeKind,
  n: number,
  seed: number,
) {
  const p = resolveData(data);
  const x = dataSample(p, seed + 1, n);
  const ll = await pfOdeLogLikelihood(p.gmm, makeSde(sde, sdeParamsFor(p)), x, 200);
  const exact = new Float64Array(n);
  evaluateGmm(p.gmm, { a: 1, b: 0 }, x, { logDensity: exact });
  const mean = (a: Float64Array) => a.reduce((s, v) => s + v, 0) / a.length;
  return { model: mean(ll), data: mean(exact) };
}
