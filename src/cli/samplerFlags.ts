// The sampler flags shared by `sample` and `eval`: --sampler, --steps, --eta, --variance, --snr,
// --langevin-steps, each validated with a one-line UsageError.
import { DEFAULT_SNR } from '../diffusion/scoreSamplers';
import {
  REVERSE_VARIANCES,
  SAMPLER_KINDS,
  type ReverseVariance,
  type SamplerKind,
} from '../engine/sampling/options';
import { MAX_LANGEVIN_STEPS } from '../engine/sampling/scoreOptions';
import {
  DEFAULT_LANGEVIN_STEPS,
  isScoreSampler,
  scoreSamplerNfe,
} from '../engine/sampling/scorePlan';
import { parseChoice, parseIntegerFlag, parseNumberFlag } from './args';
import { UsageError } from './types';

export const SAMPLER_FLAG_OPTIONS = {
  sampler: { type: 'string' },
  steps: { type: 'string' },
  eta: { type: 'string' },
  variance: { type: 'string' },
  snr: { type: 'string' },
  'langevin-steps': { type: 'string' },
} as const;

export const SAMPLER_FLAGS_USAGE = `  --sampler NAME        ddim (default), ddpm (all T steps; Ho et al. 2020, Alg. 2), or a
                        score-based sampler (Song et al. 2021) on s = −ε̂/√(1−ᾱ_t):
                        euler-maruyama (reverse VP-SDE, NFE = K), pf-ode (probability-flow
                        ODE, Heun, deterministic, NFE = 2K−1), pc (reverse-diffusion predictor
                        + Langevin corrector, NFE = 2K), annealed-langevin (NCSN-style over
                        the model's noise levels, NFE = K·M)
  --steps K             noise levels visited by ddim and the score samplers, 1..T (default
                        50, or T if smaller); with ddpm: respaced DDPM on K of the T steps
                        (default T; improved-diffusion respace.py)
  --eta E               ddim eta >= 0 (default 0: deterministic; Song et al. 2021)
  --variance V          ddpm's σ²: beta (default), betaTilde, or learned (the model's Σ_θ,
                        Nichol & Dhariwal 2021 eq. 15; models trained with --learn-sigma)
  --snr R               pc: the corrector's signal-to-noise ratio, (0, 1] (default ${DEFAULT_SNR})
  --langevin-steps M    annealed-langevin: Langevin steps per level, 1..${MAX_LANGEVIN_STEPS} (default ${DEFAULT_LANGEVIN_STEPS})
`;

export interface SamplerFlags {
  sampler: SamplerKind;
  /** null: the default, min(50, T). */
  steps: number | null;
  eta: number;
  /** DDPM's σ² (null for the other samplers). */
  variance: ReverseVariance | null;
  snr: number;
  langevinSteps: number;
}

/**
 * The sampling options every `sample` path (pixel, latent, cascade) passes on unchanged: the
 * sampler flags with n, seed and batch (null flags become the sampler's defaults).
 */
export function samplingRunOptions(
  args: SamplerFlags & { n: number; seed: number; batch: number },
) {
  return {
    n: args.n,
    sampler: args.sampler,
    steps: args.steps ?? undefined,
    variance: args.variance ?? undefined,
    eta: args.eta,
    snr: args.snr,
    langevinSteps: args.langevinSteps,
    seed: args.seed,
    batch: args.batch,
  };
}

interface RawSamplerFlags {
  sampler?: string;
  steps?: string;
  eta?: string;
  variance?: string;
  snr?: string;
  'langevin-steps'?: string;
}

/** `nfeList`: --sampler is a list parsed elsewhere (eval --nfe); only --snr etc. are read here. */
export function parseSamplerFlags(v: RawSamplerFlags, nfeList = false): SamplerFlags {
  if (nfeList) {
    return {
      ...parseSamplerFlags({ snr: undefined, 'langevin-steps': undefined }),
      variance: null,
      ...scoreFlags(v),
    };
  }
  const sampler = parseChoice('--sampler', v.sampler ?? 'ddim', SAMPLER_KINDS);
  if (sampler !== 'ddpm' && v.variance !== undefined) {
    throw new UsageError('--variance applies only to --sampler ddpm');
  }
  if (sampler !== 'ddim' && v.eta !== undefined) {
    throw new UsageError('--eta applies only to --sampler ddim');
  }
  if (sampler !== 'pc' && v.snr !== undefined) {
    throw new UsageError('--snr applies only to --sampler pc');
  }
  if (sampler !== 'annealed-langevin' && v['langevin-steps'] !== undefined) {
    throw new UsageError('--langevin-steps applies only to --sampler annealed-langevin');
  }
  return {
    sampler,
    steps: v.steps === undefined ? null : parseIntegerFlag('--steps', v.steps, 1, 100_000),
    eta: v.eta === undefined ? 0 : parseNumberFlag('--eta', v.eta, { min: 0 }),
    variance:
      sampler === 'ddpm'
        ? parseChoice('--variance', v.variance ?? 'beta', REVERSE_VARIANCES)
        : null,
    ...scoreFlags(v),
  };
}

function scoreFlags(v: RawSamplerFlags): Pick<SamplerFlags, 'snr' | 'langevinSteps'> {
  return {
    snr: v.snr === undefined ? DEFAULT_SNR : parseNumberFlag('--snr', v.snr, { above: 0, max: 1 }),
    langevinSteps:
      v['langevin-steps'] === undefined
        ? DEFAULT_LANGEVIN_STEPS
        : parseIntegerFlag('--langevin-steps', v['langevin-steps'], 1, MAX_LANGEVIN_STEPS),
  };
}

/** Network evaluations of one image batch, e.g. for the summary line. */
export function samplerNfe(f: SamplerFlags, T: number): number {
  const steps = f.steps ?? Math.min(50, T);
  if (f.sampler === 'ddpm') return f.steps ?? T;
  if (f.sampler === 'ddim') return steps;
  return scoreSamplerNfe(f.sampler, steps, f.langevinSteps);
}

/** "pf-ode 50 levels, NFE 99" and the like. */
export function samplerSummary(f: SamplerFlags, T: number): string {
  const steps = f.steps ?? (f.sampler === 'ddpm' ? T : Math.min(50, T));
  const extra =
    f.sampler === 'ddim'
      ? `, eta ${f.eta}`
      : f.sampler === 'ddpm'
        ? `, σ² ${f.variance ?? 'beta'}`
        : f.sampler === 'pc'
          ? `, snr ${f.snr}`
          : f.sampler === 'annealed-langevin'
            ? `, ${f.langevinSteps} Langevin step(s) per level`
            : '';
  const unit = isScoreSampler(f.sampler) ? 'levels' : 'steps';
  return `${f.sampler} ${steps} ${unit}${extra}, NFE ${samplerNfe(f, T)}`;
}
