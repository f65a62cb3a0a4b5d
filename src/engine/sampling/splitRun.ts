// A run of several DDPM/DDIM steps split over workers by images (sliceRun.ts): each part takes
// its images through all the steps, and the parts are put back together once, at the end.
import * as tf from '@tensorflow/tfjs';
import type { EpsModel, EpsPrediction } from './eps';
import { runSlice, type SliceRunRequest, type SliceRunResult } from './sliceRun';
import { predictionFrom, sameLayout, type PartOwner, type SplitPart } from './splitEps';

/** What every part's request shares; x, shape, classes and offset are the part's own. */
export type SliceRunCommon = Omit<SliceRunRequest, 'x' | 'shape' | 'classes' | 'offset' | 'batch'>;

export interface SplitRunResult {
  /** x after the run, the whole batch. */
  x: tf.Tensor4D;
  /** The run's last step, the whole batch (the fields and aliasing of a step run in one place). */
  last: { xt: tf.Tensor4D; x0Pred: tf.Tensor4D; epsUsed: tf.Tensor4D; pred: EpsPrediction };
  /** Each part's images and compute time per step (ms), in the order given. */
  measured: { owner: PartOwner; n: number; ms: number }[];
}

/**
 * Runs `common.steps` steps from `common.start` on x in parts (in batch order; `null`: this
 * worker). Every peer's request is posted before this worker's own part starts. `onStep(part,
 * index)` hears of each step a part has done. Rejects if any part fails; x is left as it was.
 */
export async function runStepsSplit(
  model: EpsModel,
  parts: readonly SplitPart[],
  x: tf.Tensor4D,
  common: SliceRunCommon,
  classes: Int32Array | null,
  onStep?: (part: number, index: number) => void,
): Promise<SplitRunResult> {
  const [n, h, w, c] = x.shape;
  if (parts.some((p) => !(p.count >= 1)) || parts.reduce((a, p) => a + p.count, 0) !== n) {
    throw new RangeError(`parts must cover the batch of ${n} with at least one image each`);
  }
  const perImage = h * w * c;
  const all = (await x.data()) as Float32Array;
  const requestOf = (i: number, offset: number): SliceRunRequest => {
    const count = parts[i].count;
    return {
      ...common,
      x: all.slice(offset * perImage, (offset + count) * perImage),
      shape: [count, h, w, c],
      classes: classes ? classes.slice(offset, offset + count) : null,
      offset,
      batch: n,
    };
  };
  const offsets = parts.map((_, i) => parts.slice(0, i).reduce((a, p) => a + p.count, 0));
  const runs: Promise<SliceRunResult>[] = [];
  for (let i = 0; i < parts.length; i++) {
    const peer = parts[i].owner;
    if (peer === null) continue;
    runs[i] = peer.runSteps(requestOf(i, offsets[i]), (index) => onStep?.(i, index));
    // Awaited below; a failure before then must not count as unhandled.
    runs[i].catch(() => undefined);
  }
  for (let i = 0; i < parts.length; i++) {
    if (parts[i].owner !== null) continue;
    runs[i] = runSlice(model, requestOf(i, offsets[i]), (index) => onStep?.(i, index));
    runs[i].catch(() => undefined);
  }
  const results = await Promise.all(runs);
  const { layout } = results[0];
  if (
    !results.every((r) => sameLayout(r.layout, layout) && r.last.length === results[0].last.length)
  ) {
    throw new Error('the parts of a split run returned different outputs');
  }
  // One tensor per output: the parts' arrays one after the other (they are in batch order).
  const join = (pick: (r: SliceRunResult) => Float32Array): tf.Tensor4D => {
    const arrays = results.map(pick);
    const out = new Float32Array(arrays.reduce((a, b) => a + b.length, 0));
    let at = 0;
    for (const a of arrays) {
      out.set(a, at);
      at += a.length;
    }
    return tf.tensor4d(out, [n, h, w, out.length / (n * h * w)]);
  };
  const xNext = join((r) => r.x);
  const [xt, x0Pred, epsUsed, ...distinct] = results[0].last.map((_, k) => join((r) => r.last[k]));
  return {
    x: xNext,
    last: { xt, x0Pred, epsUsed, pred: predictionFrom(distinct, layout) },
    measured: parts.map((p, i) => ({
      owner: p.owner,
      n: p.count,
      ms: results[i].ms / common.steps,
    })),
  };
}
