// One reverse step's ε computed by several workers at once: each takes a contiguous part of the
// batch (issue 12). tfjs-backend-wasm gives its thread pool to convolutions only; GroupNorm
// statistics, matmuls, transposes and pads run on one thread, so at 14×14 and 7×7 a second thread
// speeds a sampling pass up by only 1.15×, while single-threaded peer workers each computing part
// of the batch use every core for all of it. Every image's ε depends on that image alone
// (GroupNorm and attention are per image), so the split changes no number: the session draws the
// noise and takes the step on the whole batch as before.
import * as tf from '@tensorflow/tfjs';
import { predictEps, predictionTensors, type EpsModel, type EpsPrediction } from './eps';
import { readTogether } from './readback';
import type { Shape4 } from './session';
import type { SliceRunRequest, SliceRunResult } from './sliceRun';

/** What a peer is asked: predictEps for its images, in plain arrays. */
export interface PeerEpsRequest {
  x: Float32Array;
  shape: Shape4;
  modelT: number;
  classes: Int32Array | null;
  guidanceScale: number;
  withVariance: boolean;
}

/** Where each field of an EpsPrediction is among the distinct outputs (−1: absent). */
export interface EpsLayout {
  eps: number;
  epsCond: number;
  epsUncond: number;
  v: number;
}

export interface PeerEpsResult {
  /** predictionTensors(prediction) in its order (aliased fields once), read back. */
  arrays: Float32Array[];
  layout: EpsLayout;
  /** The peer's compute time for the request (ms), without the messages. */
  ms: number;
}

/** Another worker, as a sampling session sees it. */
export interface EpsPeer {
  /** Whether it holds the weights this run samples with (uploading them takes a moment). */
  ready(): boolean;
  predict(req: PeerEpsRequest): Promise<PeerEpsResult>;
  /** Several steps of its images at once (sliceRun.ts); `onStep` hears of each step done. */
  runSteps(req: SliceRunRequest, onStep: (index: number) => void): Promise<SliceRunResult>;
}

export function layoutOf(p: EpsPrediction, distinct: tf.Tensor4D[]): EpsLayout {
  const at = (t: tf.Tensor4D | null | undefined) => (t ? distinct.indexOf(t) : -1);
  return { eps: at(p.eps), epsCond: at(p.epsCond), epsUncond: at(p.epsUncond), v: at(p.v) };
}

export function sameLayout(a: EpsLayout, b: EpsLayout): boolean {
  return a.eps === b.eps && a.epsCond === b.epsCond && a.epsUncond === b.epsUncond && a.v === b.v;
}

/** The prediction whose distinct tensors, in layoutOf's order, are `distinct`. */
export function predictionFrom(distinct: tf.Tensor4D[], layout: EpsLayout): EpsPrediction {
  const at = (k: number) => (k < 0 ? null : distinct[k]);
  const pred: EpsPrediction = {
    eps: distinct[layout.eps],
    epsCond: at(layout.epsCond),
    epsUncond: at(layout.epsUncond),
  };
  if (layout.v >= 0) pred.v = distinct[layout.v];
  return pred;
}

/** A peer's side of a request: the same predictEps, on a copy of the same weights. */
export async function servePeerEps(model: EpsModel, req: PeerEpsRequest): Promise<PeerEpsResult> {
  const start = performance.now();
  const x = tf.tensor4d(req.x, req.shape);
  let pred: EpsPrediction;
  try {
    pred = predictEps(model, x, req.modelT, req.classes, req.guidanceScale, req.withVariance);
  } finally {
    x.dispose();
  }
  const distinct = predictionTensors(pred);
  try {
    const arrays = await readTogether(distinct);
    return { arrays, layout: layoutOf(pred, distinct), ms: performance.now() - start };
  } finally {
    distinct.forEach((t) => t.dispose());
  }
}

/** Who computes a part: a peer, or `null` for this worker. */
export type PartOwner = EpsPeer | null;

/**
 * How many of n images each part takes: in proportion to its measured speed (images per ms while
 * all ran at once), so that no part waits long for another; equal shares until measured.
 */
export class SplitShare {
  private readonly rates = new Map<PartOwner, number>();

  /** Counts in the order of `owners`; every part gets at least one image when n allows. */
  counts(owners: readonly PartOwner[], n: number): number[] {
    const known = owners.map((o) => this.rates.get(o)).filter((r): r is number => r !== undefined);
    const fallback = known.length ? known.reduce((a, b) => a + b, 0) / known.length : 1;
    const weights = owners.map((o) => this.rates.get(o) ?? fallback);
    const base = Math.min(1, Math.floor(n / owners.length));
    const left = n - base * owners.length;
    const total = weights.reduce((a, b) => a + b, 0);
    const exact = weights.map((w) => (left * w) / total);
    const counts = exact.map((e) => base + Math.floor(e));
    // Largest remainders take the images rounding left over.
    const order = exact.map((e, i) => [e - Math.floor(e), i]).sort((a, b) => b[0] - a[0]);
    let rest = n - counts.reduce((a, b) => a + b, 0);
    for (const [, i] of order) {
      if (rest-- <= 0) break;
      counts[i]++;
    }
    return counts;
  }

  /** One step's times; a part's rate moves halfway to the new measurement (one slow step). */
  update(measured: readonly { owner: PartOwner; n: number; ms: number }[]): void {
    for (const { owner, n, ms } of measured) {
      if (!(n > 0 && ms > 0)) continue;
      const rate = n / ms;
      const old = this.rates.get(owner);
      this.rates.set(owner, old === undefined ? rate : 0.5 * old + 0.5 * rate);
    }
  }

  forget(owner: PartOwner): void {
    this.rates.delete(owner);
  }
}

export interface SplitPart {
  owner: PartOwner;
  count: number;
}

export interface SplitPrediction {
  pred: EpsPrediction;
  /** Each part's images and compute time (ms), in the order given. */
  measured: { owner: PartOwner; n: number; ms: number }[];
}

/**
 * predictEps(model, x, …) computed in parts, in batch order: the same prediction (same fields,
 * same aliasing), assembled here. Every peer's request is posted before this worker's own part
 * (if any) starts, so all run at once.
 */
export async function predictEpsSplit(
  model: EpsModel,
  parts: readonly SplitPart[],
  x: tf.Tensor4D,
  modelT: number,
  classes: Int32Array | null,
  guidanceScale: number,
  withVariance: boolean,
): Promise<SplitPrediction> {
  const [n, h, w, c] = x.shape;
  if (parts.some((p) => !(p.count >= 1)) || parts.reduce((a, p) => a + p.count, 0) !== n) {
    throw new RangeError(`parts must cover the batch of ${n} with at least one image each`);
  }
  const offsets = parts.map((_, i) => parts.slice(0, i).reduce((a, p) => a + p.count, 0));
  const classesOf = (i: number) =>
    classes ? classes.slice(offsets[i], offsets[i] + parts[i].count) : null;
  const sliceOf = (i: number) => tf.slice(x, [offsets[i], 0, 0, 0], [parts[i].count, h, w, c]);
  const requests: (Promise<PeerEpsResult> | null)[] = [];
  for (let i = 0; i < parts.length; i++) {
    const peer = parts[i].owner;
    if (peer === null) {
      requests.push(null);
      continue;
    }
    const xs = sliceOf(i);
    let data: Float32Array;
    try {
      data = (await xs.data()) as Float32Array;
    } finally {
      xs.dispose();
    }
    const request = peer.predict({
      x: data,
      shape: [parts[i].count, h, w, c],
      modelT,
      classes: classesOf(i),
      guidanceScale,
      withVariance,
    });
    // Awaited below; a failure before then must not count as unhandled.
    request.catch(() => undefined);
    requests.push(request);
  }
  const outputs: { arrays: (tf.Tensor4D | Float32Array)[]; layout: EpsLayout }[] = [];
  const measured: SplitPrediction['measured'] = [];
  const held: tf.Tensor4D[] = [];
  try {
    for (let i = 0; i < parts.length; i++) {
      if (requests[i] !== null) continue;
      const start = performance.now();
      const xs = sliceOf(i);
      let local: EpsPrediction;
      try {
        local = predictEps(model, xs, modelT, classesOf(i), guidanceScale, withVariance);
      } finally {
        xs.dispose();
      }
      const distinct = predictionTensors(local);
      held.push(...distinct);
      outputs[i] = { arrays: distinct, layout: layoutOf(local, distinct) };
      // wasm runs kernels synchronously: this is the part's compute time.
      measured[i] = { owner: null, n: parts[i].count, ms: performance.now() - start };
    }
    for (let i = 0; i < parts.length; i++) {
      const request = requests[i];
      if (request === null) continue;
      const r = await request;
      outputs[i] = { arrays: r.arrays, layout: r.layout };
      measured[i] = { owner: parts[i].owner, n: parts[i].count, ms: r.ms };
    }
    const layout = outputs[0].layout;
    if (
      !outputs.every(
        (o) => sameLayout(o.layout, layout) && o.arrays.length === outputs[0].arrays.length,
      )
    ) {
      throw new Error('the parts of a split step returned different outputs');
    }
    const joined = tf.tidy(() =>
      outputs[0].arrays.map((_, k) =>
        tf.concat(
          outputs.map((o, i) => {
            const a = o.arrays[k];
            return a instanceof Float32Array
              ? tf.tensor4d(a, [parts[i].count, h, w, a.length / (parts[i].count * h * w)])
              : a;
          }),
          0,
        ),
      ),
    ) as tf.Tensor4D[];
    return { pred: predictionFrom(joined, layout), measured };
  } finally {
    held.forEach((t) => t.dispose());
  }
}
