// Quality against cost, live in the worker: evaluateSamplers (src/engine/evaluation) on the model
// in use, scored by the MNIST judge the guidance trade-off uses. Same bookkeeping as that run.
import type { Schedule } from '../../diffusion/schedule';
import { evaluateSamplers, NFE_SAMPLERS, type NfeResult, type NfeSampler } from '../evaluation';
import type { Judge } from '../judge/load';
import type { WeightsLease } from './weights';

export interface SamplerEvaluationRequest {
  samplers: NfeSampler[];
  /** Budgets of network evaluations, e.g. 10, 20, 50. */
  budgets: number[];
  /** Class-balanced samples per (sampler, budget). */
  samples: number;
  guidanceScale: number;
  seed: number;
}

export type SamplerEvaluationEvent =
  { type: 'progress'; fraction: number } | { type: 'result'; result: NfeResult };

export const MAX_NFE_BUDGET = 1000;
export const MAX_SAMPLER_SAMPLES = 500;

function check(req: SamplerEvaluationRequest, numClasses: number): void {
  const { samplers, budgets, samples, guidanceScale, seed } = req;
  if (
    !Array.isArray(samplers) ||
    samplers.length < 1 ||
    !samplers.every((s) => NFE_SAMPLERS.includes(s))
  ) {
    throw new RangeError(`samplers must be some of ${NFE_SAMPLERS.join(', ')}`);
  }
  if (
    !Array.isArray(budgets) ||
    budgets.length < 1 ||
    budgets.length > 8 ||
    !budgets.every((b) => Number.isInteger(b) && b >= 1 && b <= MAX_NFE_BUDGET)
  ) {
    throw new RangeError(`give 1 to 8 NFE budgets, integers in [1, ${MAX_NFE_BUDGET}]`);
  }
  if (!Number.isInteger(samples) || samples < 2 * numClasses || samples > MAX_SAMPLER_SAMPLES) {
    throw new RangeError(
      `samples must be an integer in [${2 * numClasses}, ${MAX_SAMPLER_SAMPLES}] (got ${samples})`,
    );
  }
  if (!(Number.isFinite(guidanceScale) && guidanceScale >= 0 && guidanceScale <= 20)) {
    throw new RangeError(`the guidance scale must be in [0, 20] (got ${guidanceScale})`);
  }
  if (!Number.isInteger(seed) || seed < 0) throw new RangeError(`bad seed ${seed}`);
}

export async function runSamplerEvaluation(
  target: { lease: WeightsLease; schedule: Schedule; dataset: string },
  req: SamplerEvaluationRequest,
  loadJudge: () => Promise<Judge>,
  listener: (e: SamplerEvaluationEvent) => void,
  signal: AbortSignal,
): Promise<NfeResult[]> {
  const { model } = target.lease;
  check(req, model.config.numClasses);
  const judge = await loadJudge();
  try {
    signal.throwIfAborted();
    if (target.dataset !== judge.manifest.dataset) {
      throw new RangeError(
        `the judge scores ${judge.manifest.dataset} images, but the model in use was trained on ${target.dataset}`,
      );
    }
    return await evaluateSamplers({
      unet: model,
      schedule: target.schedule,
      judge: judge.classifier,
      reference: judge.reference,
      samplers: req.samplers,
      budgets: req.budgets,
      samples: req.samples,
      guidanceScale: req.guidanceScale,
      seed: req.seed,
      batch: Math.min(50, req.samples),
      signal,
      onProgress: (fraction) => listener({ type: 'progress', fraction }),
      onResult: (result) => listener({ type: 'result', result }),
    });
  } finally {
    judge.classifier.dispose();
  }
}
