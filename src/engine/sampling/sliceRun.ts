// Several DDPM/DDIM steps of a contiguous part of the batch, run without stopping (issue 12).
// Splitting every step (splitEps.ts) makes all workers wait at each step for the slowest one: on
// a busy 2-core machine one of the two sampling workers is held up ~15% of each step by the
// page's other threads. Every image's trajectory depends on that image alone, so a worker can
// instead take its images through a whole run of steps, and the workers meet once per run.
// The steps are the session's own (predictEps, then reverseStep), and the fresh noise z is the
// whole batch's stream sliced at the part's first image: the images are the same bit for bit.
import * as tf from '@tensorflow/tfjs';
import { predictEps, predictionTensors, type EpsModel, type EpsPrediction } from './eps';
import { isScorePlanStep, reverseStep, type SamplingPlan } from './plan';
import { readTogether } from './readback';
import { stepNoiseStream, streamNoise } from './seeds';
import type { Shape4 } from './session';
import { layoutOf, type EpsLayout } from './splitEps';
import { macrotask } from '../yield';

/** What a part is asked: plan steps start … start + steps − 1 for its images. */
export interface SliceRunRequest {
  /** The part's x_t before step `start`. */
  x: Float32Array;
  shape: Shape4;
  plan: SamplingPlan;
  start: number;
  steps: number;
  /** The part's classes (null: unconditional). */
  classes: Int32Array | null;
  guidanceScale: number;
  clipX0: boolean;
  /** The session's seed, its batch size, and the part's first image in the batch. */
  seed: number;
  batch: number;
  offset: number;
}

export interface SliceRunResult {
  /** x after the last step. */
  x: Float32Array;
  /** The last step's x_t, x̂_0 and ε used, then predictionTensors(prediction), read back. */
  last: Float32Array[];
  layout: EpsLayout;
  /** Compute time of the whole run (ms), without the messages. */
  ms: number;
}

/**
 * Step `index`'s fresh noise for images offset … offset + count − 1 of the batch. A stream is
 * drawn in order, image after image, so drawing it up to the part's last image gives the part
 * the values the whole batch's draw gives it.
 */
function partNoise(req: SliceRunRequest, index: number): tf.Tensor4D {
  const [count, h, w, c] = req.shape;
  const upTo = req.offset + count;
  return tf.tidy(() =>
    tf.slice(
      streamNoise([upTo, h, w, c], req.seed, stepNoiseStream(index)),
      [req.offset, 0, 0, 0],
      [count, h, w, c],
    ),
  );
}

interface Held {
  xt: tf.Tensor4D;
  x0Pred: tf.Tensor4D;
  epsUsed: tf.Tensor4D;
  pred: EpsPrediction;
}

function release(h: Held | null): void {
  if (h === null) return;
  tf.dispose([h.xt, h.x0Pred, h.epsUsed, ...predictionTensors(h.pred)]);
}

/**
 * Runs the request's steps and reads back x and the last step's outputs. `onStep` hears of
 * every step done (its plan index). Yields between steps. Throws on a score-sampler step.
 */
export async function runSlice(
  model: EpsModel,
  req: SliceRunRequest,
  onStep?: (index: number) => void,
): Promise<SliceRunResult> {
  const { plan, start, steps, classes, guidanceScale, clipX0 } = req;
  if (!(steps >= 1) || start < 0 || start + steps > plan.steps.length) {
    throw new RangeError(`steps ${start}…${start + steps - 1} are not in the plan`);
  }
  let ms = 0;
  let x = tf.tensor4d(req.x, req.shape);
  let held: Held | null = null;
  try {
    for (let index = start; index < start + steps; index++) {
      const began = performance.now();
      const ps = plan.steps[index];
      if (isScorePlanStep(ps)) throw new Error(`${ps.kind} steps do not run in parts`);
      const learned = plan.variance === 'learned' && ps.kind === 'ddpm';
      const pred = predictEps(model, x, ps.modelT, classes, guidanceScale, learned);
      let noise: tf.Tensor4D | undefined;
      let result;
      try {
        // Fresh z only where σ > 0, as the session draws it (Ho et al. 2020, Alg. 2 line 3).
        noise = ps.sigma > 0 ? partNoise(req, index) : undefined;
        result = reverseStep(plan, ps, x, pred.eps, noise, clipX0, pred.v ?? null);
      } catch (err) {
        tf.dispose(predictionTensors(pred));
        throw err;
      } finally {
        noise?.dispose();
      }
      release(held);
      held = { xt: x, x0Pred: result.x0Pred, epsUsed: result.epsUsed, pred };
      x = result.xPrev;
      ms += performance.now() - began;
      onStep?.(index);
      if (index < start + steps - 1) await macrotask();
    }
    const h = held!;
    const distinct = predictionTensors(h.pred);
    const began = performance.now();
    const [xNext, ...last] = await readTogether([x, h.xt, h.x0Pred, h.epsUsed, ...distinct]);
    ms += performance.now() - began;
    return { x: xNext, last, layout: layoutOf(h.pred, distinct), ms };
  } finally {
    x.dispose();
    release(held);
  }
}
