// Noise schedules and every per-timestep constant derived from them, in float64.
// Pure TypeScript (no tfjs): the CLI and the UI import this file directly.
//
// Indexing: array index i is diffusion step t = i + 1 (Ho et al. 2020 count t = 1..T),
// exactly as in Ho et al.'s and improved-diffusion's code.

export type ScheduleKind = 'linear' | 'cosine';

export interface ScheduleOptions {
  kind: ScheduleKind;
  /** Number of diffusion steps, an integer in [2, MAX_T]. */
  T: number;
  /** Linear only: Improved DDPM's rescaling of the β range by 1000/T. */
  scaled?: boolean;
}

/**
 * A noise schedule and its derived constants (all Float64Array of length T; treat as read-only).
 */
export interface Schedule {
  readonly kind: ScheduleKind;
  readonly T: number;
  readonly scaled: boolean;
  readonly betas: Float64Array;
  /** α_t = 1 − β_t. */
  readonly alphas: Float64Array;
  /** ᾱ_t = ∏_{s≤t} α_s. */
  readonly alphaBars: Float64Array;
  /** ᾱ_{t−1}, with ᾱ_0 = 1 at index 0. */
  readonly alphaBarsPrev: Float64Array;
  readonly sqrtAlphaBars: Float64Array;
  readonly sqrtOneMinusAlphaBars: Float64Array;
  /** 1/√ᾱ_t and √(1/ᾱ_t − 1): the x̂_0-from-ε coefficients (improved-diffusion's names). */
  readonly sqrtRecipAlphaBars: Float64Array;
  readonly sqrtRecipM1AlphaBars: Float64Array;
  /** Signal-to-noise ratio ᾱ/(1−ᾱ) and its natural log. */
  readonly snr: Float64Array;
  readonly logSnr: Float64Array;
  /** β̃_t = β_t (1−ᾱ_{t−1})/(1−ᾱ_t); 0 at index 0. */
  readonly posteriorVariance: Float64Array;
  /** log β̃_t with index 0 replaced by β̃ at index 1 (log 0 would be −∞), as in Ho et al.'s code. */
  readonly posteriorLogVarianceClipped: Float64Array;
  /** μ̃_t = coef1 · x_0 + coef2 · x_t. */
  readonly posteriorMeanCoef1: Float64Array;
  readonly posteriorMeanCoef2: Float64Array;
}

export const MAX_T = 100_000;
/** Ho et al. 2020, Sec. 4: β_1 = 1e-4 … β_T = 0.02 for T = 1000. */
export const LINEAR_BETA_START = 1e-4;
export const LINEAR_BETA_END = 0.02;
/** Nichol & Dhariwal 2021, Sec. 3.2: offset s and the clip on β. */
export const COSINE_S = 0.008;
export const COSINE_MAX_BETA = 0.999;

/** Throws a RangeError unless T is an integer in [minT, MAX_T]. */
export function validateT(T: number, minT = 2): void {
  if (typeof T !== 'number' || !Number.isInteger(T) || T < minT || T > MAX_T) {
    throw new RangeError(`T must be an integer in [${minT}, ${MAX_T}] (got ${String(T)})`);
  }
}

/** np.linspace(start, stop, n) semantics: start + i·step, with the last point exactly stop. */
function linspace(start: number, stop: number, n: number): Float64Array {
  const out = new Float64Array(n);
  const step = (stop - start) / (n - 1);
  for (let i = 0; i < n; i++) out[i] = i * step + start;
  out[n - 1] = stop;
  return out;
}

/**
 * Linear β schedule (Ho et al. 2020, Sec. 4). With `scaled`, Improved DDPM's rescaling
 * (Nichol & Dhariwal 2021, improved-diffusion `get_named_beta_schedule`): scale = 1000/T.
 */
export function linearBetas(T: number, scaled = false): Float64Array {
  validateT(T);
  const scale = scaled ? 1000 / T : 1;
  const start = scale * LINEAR_BETA_START;
  const end = scale * LINEAR_BETA_END;
  if (!(end < 1)) {
    throw new RangeError(
      `scaled linear schedule needs beta_end = 20/T < 1, i.e. T > 20 (got T=${T}, beta_end=${end})`,
    );
  }
  return linspace(start, end, T);
}

/** f(t) = cos²(((t/T) + s)/(1 + s) · π/2), Nichol & Dhariwal 2021, eq. 17. */
function cosineF(t: number, T: number): number {
  const c = Math.cos(((t / T + COSINE_S) / (1 + COSINE_S)) * (Math.PI / 2));
  return c * c;
}

/**
 * Cosine β schedule (Nichol & Dhariwal 2021, eq. 17 and the clip below it):
 * ᾱ(t) = f(t)/f(0), β_t = min(1 − ᾱ(t+1)/ᾱ(t), 0.999) for t = 0..T−1 (improved-diffusion
 * `betas_for_alpha_bar`). The f(0) normaliser cancels in the ratio.
 */
export function cosineBetas(T: number): Float64Array {
  validateT(T);
  const out = new Float64Array(T);
  for (let i = 0; i < T; i++) {
    out[i] = Math.min(1 - cosineF(i + 1, T) / cosineF(i, T), COSINE_MAX_BETA);
  }
  return out;
}

/**
 * Derives every schedule constant from the betas (float64). Accepts any length ≥ 1, so respaced
 * schedules reuse it. For length 1 there is no β̃ at index 1 to clip with; the log-variance then
 * falls back to log β (Ho et al.'s σ² = β choice).
 */
export function scheduleFromBetas(
  betas: Float64Array,
  meta: { kind: ScheduleKind; scaled: boolean },
): Schedule {
  const T = betas.length;
  if (T < 1) throw new RangeError('a schedule needs at least one beta');
  for (let i = 0; i < T; i++) {
    if (!(betas[i] > 0 && betas[i] < 1)) {
      throw new RangeError(`betas must lie in (0, 1) (got betas[${i}] = ${betas[i]})`);
    }
  }
  const arr = () => new Float64Array(T);
  const alphas = arr();
  const alphaBars = arr();
  const alphaBarsPrev = arr();
  const sqrtAlphaBars = arr();
  const sqrtOneMinusAlphaBars = arr();
  const sqrtRecipAlphaBars = arr();
  const sqrtRecipM1AlphaBars = arr();
  const snr = arr();
  const logSnr = arr();
  const posteriorVariance = arr();
  const posteriorLogVarianceClipped = arr();
  const posteriorMeanCoef1 = arr();
  const posteriorMeanCoef2 = arr();

  let prod = 1;
  for (let i = 0; i < T; i++) {
    const beta = betas[i];
    const alpha = 1 - beta; // Ho et al. 2020, notation above eq. 4: α_t = 1 − β_t
    alphaBarsPrev[i] = prod;
    prod *= alpha; // Ho eq. 4: ᾱ_t = ∏_{s=1}^t α_s
    const ab = prod;
    const abPrev = alphaBarsPrev[i];
    alphas[i] = alpha;
    alphaBars[i] = ab;
    sqrtAlphaBars[i] = Math.sqrt(ab);
    sqrtOneMinusAlphaBars[i] = Math.sqrt(1 - ab);
    sqrtRecipAlphaBars[i] = Math.sqrt(1 / ab);
    sqrtRecipM1AlphaBars[i] = Math.sqrt(1 / ab - 1);
    snr[i] = ab / (1 - ab); // Kingma et al. 2021 (VDM), SNR(t) = ᾱ/(1−ᾱ)
    logSnr[i] = Math.log(ab) - Math.log1p(-ab);
    // Ho eq. 7: β̃_t = (1−ᾱ_{t−1})/(1−ᾱ_t) · β_t
    posteriorVariance[i] = (beta * (1 - abPrev)) / (1 - ab);
    // Ho eq. 7: μ̃_t = √ᾱ_{t−1} β_t/(1−ᾱ_t) · x_0 + √α_t (1−ᾱ_{t−1})/(1−ᾱ_t) · x_t
    posteriorMeanCoef1[i] = (beta * Math.sqrt(abPrev)) / (1 - ab);
    posteriorMeanCoef2[i] = ((1 - abPrev) * Math.sqrt(alpha)) / (1 - ab);
  }
  for (let i = 0; i < T; i++) {
    posteriorLogVarianceClipped[i] = Math.log(posteriorVariance[i]);
  }
  posteriorLogVarianceClipped[0] = Math.log(T > 1 ? posteriorVariance[1] : betas[0]);

  return {
    kind: meta.kind,
    T,
    scaled: meta.scaled,
    betas: Float64Array.from(betas),
    alphas,
    alphaBars,
    alphaBarsPrev,
    sqrtAlphaBars,
    sqrtOneMinusAlphaBars,
    sqrtRecipAlphaBars,
    sqrtRecipM1AlphaBars,
    snr,
    logSnr,
    posteriorVariance,
    posteriorLogVarianceClipped,
    posteriorMeanCoef1,
    posteriorMeanCoef2,
  };
}

/** Builds a linear or cosine schedule with T steps (integer, 2 ≤ T ≤ MAX_T). */
export function makeSchedule(opts: ScheduleOptions): Schedule {
  const { kind, T } = opts;
  const scaled = opts.scaled ?? false;
  validateT(T);
  switch (kind) {
    case 'linear':
      return scheduleFromBetas(linearBetas(T, scaled), { kind, scaled });
    case 'cosine':
      if (scaled) {
        // The cosine schedule is defined on t/T, so it needs no rescaling (Nichol & Dhariwal 2021).
        throw new RangeError(
          'scaled applies only to the linear schedule (cosine is defined on t/T)',
        );
      }
      return scheduleFromBetas(cosineBetas(T), { kind, scaled });
    default:
      throw new RangeError(`unknown schedule kind ${JSON.stringify(kind as unknown)}`);
  }
}

export function isScheduleKind(value: unknown): value is ScheduleKind {
  return value === 'linear' || value === 'cosine';
}
