// The ELBO of the model in use, live in the worker: computeNllTerms (src/engine/likelihood) on a
// few test images, the timesteps taken in a stratified random order (a few t from every part of
// 0..T−1 first, see src/diffusion/stratified.ts), so the page can show a running estimate with
// its uncertainty that becomes exact once every t is in. One run at a time, cancellable between
// network passes; the weights are a snapshot lease, so training or a model swap cannot touch them.
import { SingleRun } from './singleRun';
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../../data/dataset';
import { sampleBatch } from '../../data/dataset';
import type { Schedule } from '../../diffusion/schedule';
import { makeStrata, stratifiedOrder } from '../../diffusion/stratified';
import { bitsPerDim, priorKl, type ElboVariance } from '../../diffusion/vlb';
import { computeNllTerms, NllAbortedError } from '../likelihood/nll';
import { deriveSeed, mulberry32, STREAM } from '../../random/seeded';
import type { WeightsLease } from './weights';

export interface LikelihoodRequest {
  /** First test image; the run uses images first .. first + images − 1. */
  firstImage: number;
  images: number;
  /** "learned" needs a model with a learned Σ_θ (Nichol & Dhariwal 2021). */
  variance: ElboVariance;
  /** The bound of p(x | y) with the true labels instead of the unconditional one. */
  conditional: boolean;
  seed: number;
  /** Strata of the evaluation order (log-spaced in t). */
  strata?: number;
}

export type LikelihoodEvent =
  | {
      type: 'start';
      T: number;
      D: number;
      labels: number[];
      /** L_T per image, bits/dim. */
      prior: number[];
      /** The strata, for the page's estimate. */
      strata: Array<{ start: number; end: number }>;
    }
  | {
      type: 'terms';
      /** Indices finished in this pass, with each image's term (bits/dim), image-major per index. */
      indices: number[];
      values: number[][];
      evaluated: number;
    };

export interface LikelihoodTarget {
  lease: WeightsLease;
  schedule: Schedule;
  dataset: Dataset;
}

export const MAX_LIKELIHOOD_IMAGES = 64;
/** Network batch: whole indices per pass (images × indices ≤ this). */
const PAIRS_PER_PASS = 64;

export class LikelihoodCancelled extends Error {
  constructor(reason = 'cancelled') {
    super(reason);
    this.name = 'LikelihoodCancelled';
  }
}

function checkRequest(req: LikelihoodRequest, count: number): void {
  const { firstImage, images, seed } = req;
  if (!Number.isInteger(images) || images < 1 || images > MAX_LIKELIHOOD_IMAGES) {
    throw new RangeError(
      `images must be an integer in [1, ${MAX_LIKELIHOOD_IMAGES}] (got ${images})`,
    );
  }
  if (!Number.isInteger(firstImage) || firstImage < 0 || firstImage + images > count) {
    throw new RangeError(
      `test images ${firstImage}..${firstImage + images - 1} are outside 0..${count - 1}`,
    );
  }
  if (req.variance !== 'beta' && req.variance !== 'betaTilde' && req.variance !== 'learned') {
    throw new RangeError(
      `variance must be "beta", "betaTilde" or "learned" (got ${String(req.variance)})`,
    );
  }
  if (!Number.isInteger(seed) || seed < 0) {
    throw new RangeError(`the seed must be an integer >= 0 (got ${seed})`);
  }
}

export class LikelihoodController {
  private readonly single = new SingleRun();

  get running(): boolean {
    return this.single.running;
  }

  /** Runs until every t is evaluated (resolves with the count) or it is cancelled (rejects). */
  async run(
    target: LikelihoodTarget,
    req: LikelihoodRequest,
    listener: (e: LikelihoodEvent) => void,
  ): Promise<{ evaluated: number }> {
    return this.single.start(
      (signal) => this.evaluate(target, req, listener, signal),
      'a likelihood run is already in progress: cancel it first',
      () => target.lease.release(),
    );
  }

  private async evaluate(
    target: LikelihoodTarget,
    req: LikelihoodRequest,
    listener: (e: LikelihoodEvent) => void,
    signal: AbortSignal,
  ): Promise<{ evaluated: number }> {
    let x0: tf.Tensor4D | null = null;
    try {
      const { schedule, dataset } = target;
      checkRequest(req, dataset.count);
      const indices = Array.from({ length: req.images }, (_, k) => req.firstImage + k);
      const batch = sampleBatch(dataset, indices);
      const D = batch.shape[1] * batch.shape[2] * batch.shape[3];
      x0 = tf.tensor4d(batch.images, batch.shape);
      const strata = makeStrata(schedule.T, req.strata ?? 24, 'log');
      // The order's randomness is its own stream of the seed (random/seeded.ts).
      const random = mulberry32(deriveSeed(req.seed, STREAM.likelihoodOrder));
      const order = stratifiedOrder(strata, random);
      listener({
        type: 'start',
        T: schedule.T,
        D,
        labels: Array.from(batch.labels),
        prior: indices.map((_, n) =>
          bitsPerDim(priorKl(schedule, batch.images.subarray(n * D, (n + 1) * D)), D),
        ),
        strata,
      });
      let evaluated = 0;
      const perIndex = Math.max(1, Math.floor(PAIRS_PER_PASS / req.images));
      for (let k = 0; k < order.length; k += perIndex) {
        signal.throwIfAborted();
        const chunk = order.slice(k, k + perIndex);
        const r = await computeNllTerms(target.lease.model, schedule, x0, {
          variance: req.variance,
          labels: req.conditional ? batch.labels : null,
          seed: req.seed,
          batchSize: chunk.length * req.images,
          indices: chunk,
          signal,
        });
        evaluated += chunk.length;
        listener({
          type: 'terms',
          indices: chunk,
          values: chunk.map((i) => Array.from(r.terms[i], (nats) => bitsPerDim(nats, D))),
          evaluated,
        });
      }
      return { evaluated };
    } catch (e) {
      if (signal.aborted || e instanceof NllAbortedError) {
        const reason: unknown = signal.reason;
        throw reason instanceof LikelihoodCancelled ? reason : new LikelihoodCancelled();
      }
      throw e;
    } finally {
      x0?.dispose();
      target.lease.release();
    }
  }

  cancel(reason = 'cancelled'): void {
    this.single.cancel(new LikelihoodCancelled(reason));
  }

  async stop(reason?: string): Promise<void> {
    this.cancel(reason);
    await this.single.settled();
  }
}
