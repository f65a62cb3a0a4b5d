// Quality against cost: for each sampler and each budget of network evaluations (NFE), draw the
// same class-balanced images (same initial noise, same labels, one guidance scale) and let the
// MNIST judge score them: accuracy and the Fréchet distance of judge features to the real test
// set (as in evaluateGuidance.ts). The plot of both against NFE, one line per sampler, is why
// DDIM and ODE solvers exist (Song et al. 2021, DDIM Table 1; Song et al. 2021, SDE Sec. 4.3).
import type { Schedule } from '../../diffusion/schedule';
import type { Classifier } from '../../model/classifier';
import { argmaxRows, classAccuracy } from '../../metrics/accuracy';
import { featureStats } from '../../metrics/featureStats';
import { frechetParts } from '../../metrics/frechet';
import { judgeImages } from '../judge/outputs';
import { referenceGaussian } from '../judge/referenceStats';
import type { ReferenceStats } from '../judge/types';
import type { EpsModel } from '../sampling/eps';
import type { SamplerKind } from '../sampling/options';
import { sampleImages } from '../sampling/sampleImages';
import {
  DEFAULT_LANGEVIN_STEPS,
  isScoreSampler,
  scoreSamplerNfe,
  scoreStepsForNfe,
} from '../sampling/scorePlan';
import { balancedLabels, DEFAULT_EVALUATION_BATCH } from './evaluateGuidance';

/** Samplers whose cost can be chosen (DDPM always runs T steps). */
export type NfeSampler = Exclude<SamplerKind, 'ddpm'>;
export const NFE_SAMPLERS: readonly NfeSampler[] = [
  'ddim',
  'pf-ode',
  'euler-maruyama',
  'pc',
  'annealed-langevin',
];
export const DEFAULT_NFE_BUDGETS: readonly number[] = [10, 20, 50, 100, 250];

/** Steps (levels) a sampler takes for at most `nfe` evaluations, and the NFE they really cost. */
export function stepsForNfe(
  sampler: NfeSampler,
  nfe: number,
  T: number,
  langevinSteps = DEFAULT_LANGEVIN_STEPS,
): { steps: number; nfe: number } {
  const want = isScoreSampler(sampler) ? scoreStepsForNfe(sampler, nfe, langevinSteps) : nfe;
  const steps = Math.min(want, T);
  const cost = isScoreSampler(sampler) ? scoreSamplerNfe(sampler, steps, langevinSteps) : steps;
  return { steps, nfe: cost };
}

export interface NfeResult {
  sampler: NfeSampler;
  /** The budget asked for and the evaluations really made (≤ budget). */
  budget: number;
  nfe: number;
  steps: number;
  samples: number;
  /** Overall judge accuracy (label = class asked for). */
  accuracy: number;
  frechetDistance: number;
  seconds: number;
  secondsPerImage: number;
}

export interface EvaluateSamplersOptions {
  unet: EpsModel;
  schedule: Schedule;
  judge: Classifier;
  reference: ReferenceStats;
  samplers: readonly NfeSampler[];
  budgets: readonly number[];
  /** Images per (sampler, budget), class-balanced: image i asks for class i mod numClasses. */
  samples: number;
  guidanceScale: number;
  clipX0?: boolean;
  seed?: number;
  batch?: number;
  snr?: number;
  langevinSteps?: number;
  onResult?: (r: NfeResult) => void | Promise<void>;
  /** Fraction of the whole run done, after every denoising step. */
  onProgress?: (fraction: number) => void | Promise<void>;
  signal?: AbortSignal;
}

function check(o: EvaluateSamplersOptions): void {
  const k = o.judge.config.numClasses;
  if (o.unet.config.numClasses !== k) {
    throw new RangeError(`the model has ${o.unet.config.numClasses} classes but the judge ${k}`);
  }
  if (o.samplers.length === 0) throw new RangeError('give at least one sampler');
  for (const s of o.samplers) {
    if (!NFE_SAMPLERS.includes(s)) throw new RangeError(`sampler ${String(s)} has no NFE budget`);
  }
  if (o.budgets.length === 0 || !o.budgets.every((b) => Number.isInteger(b) && b >= 1)) {
    throw new RangeError('NFE budgets must be integers >= 1');
  }
  if (!Number.isInteger(o.samples) || o.samples < 2 * k) {
    throw new RangeError(
      `samples must be an integer >= ${2 * k} (two per class; got ${o.samples})`,
    );
  }
  if (!Number.isFinite(o.guidanceScale)) throw new RangeError('guidance scale must be finite');
}

export async function evaluateSamplers(o: EvaluateSamplersOptions): Promise<NfeResult[]> {
  check(o);
  const { unet, schedule, judge, reference, samples: n } = o;
  const k = judge.config.numClasses;
  const d = judge.config.featureDim;
  const labels = balancedLabels(n, k);
  const real = referenceGaussian(reference);
  const langevinSteps = o.langevinSteps ?? DEFAULT_LANGEVIN_STEPS;
  const batch = o.batch ?? DEFAULT_EVALUATION_BATCH;
  // Budget by budget, so that a stopped run already compares every sampler at the small budgets.
  const runs = o.budgets.flatMap((budget) => o.samplers.map((sampler) => ({ sampler, budget })));
  const out: NfeResult[] = [];
  for (const [i, { sampler, budget }] of runs.entries()) {
    o.signal?.throwIfAborted();
    const { steps, nfe } = stepsForNfe(sampler, budget, schedule.T, langevinSteps);
    const started = performance.now();
    const x = await sampleImages(unet, schedule, {
      n,
      sampler,
      steps,
      eta: sampler === 'ddim' ? 0 : undefined,
      snr: o.snr,
      langevinSteps,
      clipX0: o.clipX0 ?? true,
      classes: Array.from(labels),
      seed: o.seed ?? 0,
      guidanceScale: o.guidanceScale,
      batch,
      signal: o.signal,
      onProgress: (p) =>
        o.onProgress?.(
          (i +
            (p.imagesDone + (Math.min(batch, n - p.imagesDone) * p.stepsDone) / p.totalSteps) / n) /
            runs.length,
        ),
    });
    const judged = await judgeImages(judge, x, n);
    const fd = frechetParts(featureStats(judged.features, n, d), real);
    const seconds = (performance.now() - started) / 1000;
    const r: NfeResult = {
      sampler,
      budget,
      nfe,
      steps,
      samples: n,
      accuracy: classAccuracy(argmaxRows(judged.logits, n, k), labels, k).overall,
      frechetDistance: fd.distance,
      seconds,
      secondsPerImage: seconds / n,
    };
    out.push(r);
    await o.onResult?.(r);
  }
  return out;
}
