// One step of a score-based sampler on tensors: evaluates the network (once or twice) through
// `predict` (the session's ε with classifier-free guidance) and applies the closed-form update
// of diffusion/scoreSamplers.ts.
import * as tf from '@tensorflow/tfjs';
import type { StepResult } from '../../diffusion/samplers';
import {
  annealedLangevinStep,
  denoise,
  eulerMaruyamaStep,
  langevinCorrectorStep,
  pfOdeEulerStep,
  pfOdeHeunStep,
  reverseDiffusionPredictorStep,
} from '../../diffusion/scoreSamplers';
import { predictionTensors, type EpsPrediction } from './eps';
import type { ScorePlanStep } from './scorePlan';

/** ε̂ (with guidance) at x for the model timestep t. */
export type PredictFn = (x: tf.Tensor4D, t: number) => EpsPrediction;
/** Standard normal noise of the step's shape: k = 0 the main z, k = 1 the corrector's z. */
export type NoiseFn = (k: 0 | 1) => tf.Tensor4D;

export interface ScoreStepOutput {
  /** The prediction at the step's input x_t (shown in the view like DDPM's/DDIM's). */
  pred: EpsPrediction;
  /** xPrev: the next state; x0Pred/epsUsed: from the prediction at x_t (clipped if asked). */
  result: StepResult<tf.Rank.R4>;
}

function disposeAll(ts: Iterable<tf.Tensor | null | undefined>): void {
  for (const t of ts) t?.dispose();
}

export function scoreStep(
  step: ScorePlanStep,
  xt: tf.Tensor4D,
  predict: PredictFn,
  noise: NoiseFn,
  clipX0: boolean,
): ScoreStepOutput {
  const { alphaBar: a, alphaBarNext: b } = step;
  const pred = predict(xt, step.modelT);
  const owned: tf.Tensor[] = [];
  try {
    const { x0Pred, epsUsed } = denoise(xt, pred.eps, a, clipX0);
    owned.push(x0Pred, epsUsed);
    const xPrev = nextState(step, xt, x0Pred, epsUsed, predict, noise, clipX0);
    return { pred, result: { xPrev, x0Pred, epsUsed } };
  } catch (err) {
    disposeAll(owned);
    disposeAll(predictionTensors(pred));
    throw err;
  }
  function nextState(
    s: ScorePlanStep,
    x: tf.Tensor4D,
    x0: tf.Tensor4D,
    eps: tf.Tensor4D,
    pf: PredictFn,
    nf: NoiseFn,
    clip: boolean,
  ): tf.Tensor4D {
    // A second evaluation: its tensors are temporary, only the update keeps a result.
    const second = (
      x2: tf.Tensor4D,
      t2: number,
      ab: number,
      use: (d: tf.Tensor4D, x0b: tf.Tensor4D) => tf.Tensor4D,
    ) => {
      const p2 = pf(x2, t2);
      try {
        const d = denoise(x2, p2.eps, ab, clip);
        try {
          return use(d.epsUsed, d.x0Pred);
        } finally {
          d.epsUsed.dispose();
          d.x0Pred.dispose();
        }
      } finally {
        disposeAll(predictionTensors(p2));
      }
    };
    const withNoise = (k: 0 | 1, use: (z: tf.Tensor4D) => tf.Tensor4D) => {
      const z = nf(k);
      try {
        return use(z);
      } finally {
        z.dispose();
      }
    };
    switch (s.kind) {
      case 'pf-ode': {
        if (s.final || s.nextT === null) return tf.clone(x0);
        const nextT = s.nextT;
        const xEuler = pfOdeEulerStep(x, eps, a, b);
        try {
          return second(xEuler, nextT, b, (epsB) => pfOdeHeunStep(x, eps, epsB, a, b));
        } finally {
          xEuler.dispose();
        }
      }
      case 'euler-maruyama':
        if (s.final) return tf.clone(x0);
        return withNoise(0, (z) => eulerMaruyamaStep(x, eps, a, b, z));
      case 'pc': {
        const corrected = withNoise(1, (z) => {
          const { x: xc, stepSize } = langevinCorrectorStep(x, eps, a, b, s.snr, z);
          stepSize.dispose();
          return xc;
        });
        try {
          return second(corrected, s.modelT, a, (epsC, x0C) =>
            s.final
              ? tf.clone(x0C)
              : withNoise(0, (z) => reverseDiffusionPredictorStep(corrected, epsC, a, b, z)),
          );
        } finally {
          corrected.dispose();
        }
      }
      case 'annealed-langevin':
        if (s.final) return tf.clone(x0);
        return withNoise(0, (z) => annealedLangevinStep(x, eps, a, b, s.stepRatio, z));
    }
  }
}
