// The ELBO of a trained ε-model on real images, term by term (Ho et al. 2020, eq. 5): for each
// timestep index i one network pass on x_i ~ q(x_i | x_0), then the terms in float64 from
// src/diffusion/vlb.ts. Index 0 is L_0 (the discretised decoder), index i ≥ 1 is the KL the paper
// calls L_{t−1} with t = i + 1; L_T (the prior term) needs no network. (image, index) pairs are
// batched into passes of `batchSize` whatever their index, so a full sum costs T·N/batchSize passes.
// With a learned Σ_θ (Nichol & Dhariwal 2021) the terms come from vlbTermsBpd (vlbTensor.ts) on
// the model's v output; the same passes also give the fixed-variance terms (`fixed`).
import * as tf from '@tensorflow/tfjs';
import { coefficientAt } from '../../diffusion/coefficients';
import type { Schedule } from '../../diffusion/schedule';
import {
  bitsPerDim,
  decoderNll,
  klTermFromSquaredError,
  modelLogVariance,
  priorKl,
  type ElboVariance,
  type VlbVariance,
} from '../../diffusion/vlb';
import { learnedLogVarianceTensor, vlbTermsBpd } from '../../diffusion/vlbTensor';
import type { EpsModel } from '../sampling/eps';
import { streamNoise } from '../sampling/seeds';

export interface NllOptions {
  /** "learned" needs a model with a learned Σ_θ (config.learnSigma and applyOutput). */
  variance: ElboVariance;
  /** Labels of the images for the conditional bound, or null for the unconditional one (the null
   * class of a classifier-free-guidance model, or a model without classes). */
  labels: Int32Array | null;
  /** Seed of the noise ε of x_i ~ q(x_i | x_0): one stream per index i, shared by the images. */
  seed: number;
  /** (image, index) pairs per network pass (default 64). */
  batchSize?: number;
  /** The indices to evaluate, in this order (default 0..T−1). */
  indices?: readonly number[];
  /** Called after each pass with the finished (index, image) terms in nats. */
  onTerms?: (done: NllTerm[]) => void;
  signal?: AbortSignal;
}

export interface NllTerm {
  index: number;
  image: number;
  nats: number;
}

export interface NllTerms {
  /** terms[i][n]: nats of image n at index i; NaN where not evaluated. */
  terms: Float64Array[];
  /** L_T per image (nats). */
  prior: Float64Array;
  /** Dimensions per image (H·W·C). */
  D: number;
  variance: ElboVariance;
  /**
   * With a learned Σ_θ: the terms of the same passes with σ² = β and β̃ (same layout as terms),
   * so one run compares all three.
   */
  fixed?: Record<VlbVariance, Float64Array[]>;
}

export class NllAbortedError extends Error {
  constructor() {
    super('likelihood evaluation cancelled');
    this.name = 'NllAbortedError';
  }
}

/**
 * Evaluates the ELBO terms of `x0` (NHWC in [−1, 1] on the 256-level grid, as the data sets give
 * it) for the chosen indices. Leaves no tensor behind; x0 stays the caller's.
 */
export async function computeNllTerms(
  model: EpsModel,
  schedule: Schedule,
  x0: tf.Tensor4D,
  opts: NllOptions,
): Promise<NllTerms> {
  const [N, H, W, C] = x0.shape;
  const D = H * W * C;
  if (opts.labels !== null && opts.labels.length !== N) {
    throw new RangeError(`need one label per image (${N}), got ${opts.labels.length}`);
  }
  const indices = opts.indices ?? Array.from({ length: schedule.T }, (_, i) => i);
  for (const i of indices) {
    if (!Number.isInteger(i) || i < 0 || i >= schedule.T) {
      throw new RangeError(
        `timestep index must be an integer in [0, ${schedule.T - 1}] (got ${i})`,
      );
    }
  }
  const batchSize = Math.max(1, Math.floor(opts.batchSize ?? 64));
  const host = await x0.data();
  const images = Array.from({ length: N }, (_, n) => host.subarray(n * D, (n + 1) * D));
  const terms = Array.from({ length: schedule.T }, () => new Float64Array(N).fill(Number.NaN));
  const prior = Float64Array.from(images, (img) => priorKl(schedule, img));
  const conditional = opts.labels !== null && model.config.numClasses > 0;
  const learned = opts.variance === 'learned';
  if (learned && (model.config.learnSigma !== true || !model.applyOutput)) {
    throw new Error('σ² "learned" needs a model trained with a learned Σ_θ (--learn-sigma)');
  }
  const newTerms = () =>
    Array.from({ length: schedule.T }, () => new Float64Array(N).fill(Number.NaN));
  const fixed = learned ? { beta: newTerms(), betaTilde: newTerms() } : undefined;

  const pairs: Array<[number, number]> = [];
  for (const i of indices) for (let n = 0; n < N; n++) pairs.push([i, n]);

  const noiseCache = new Map<number, tf.Tensor4D>();
  const noiseFor = (i: number) => {
    let z = noiseCache.get(i);
    if (!z) {
      z = streamNoise([N, H, W, C], opts.seed, i);
      noiseCache.set(i, z);
    }
    return z;
  };
  try {
    for (let start = 0; start < pairs.length; start += batchSize) {
      if (opts.signal?.aborted) throw new NllAbortedError();
      const chunk = pairs.slice(start, start + batchSize);
      // Only the noise of the indices in this chunk is kept.
      for (const key of [...noiseCache.keys()]) {
        if (!chunk.some(([i]) => i === key)) {
          noiseCache.get(key)?.dispose();
          noiseCache.delete(key);
        }
      }
      for (const [i] of chunk) noiseFor(i); // made outside tidy: kept across passes
      const idx = Int32Array.from(chunk, ([, n]) => n);
      const tIdx = Int32Array.from(chunk, ([i]) => i);
      const needsX0 = tIdx.includes(0);
      const out = tf.tidy(() => {
        const rows = tf.tensor1d(idx, 'int32');
        const t = tf.tensor1d(tIdx, 'int32');
        const x = tf.gather(x0, rows);
        const eps = tf.concat(
          chunk.map(([i, n]) => tf.slice(noiseFor(i), [n, 0, 0, 0], [1, H, W, C])),
        ) as tf.Tensor4D;
        const a = coefficientAt(schedule.sqrtAlphaBars, t, 4);
        const b = coefficientAt(schedule.sqrtOneMinusAlphaBars, t, 4);
        const xt = tf.add(tf.mul(x, a), tf.mul(eps, b)) as tf.Tensor4D;
        const y =
          conditional && opts.labels ? tf.gather(tf.tensor1d(opts.labels, 'int32'), rows) : null;
        const yy = y as tf.Tensor1D | null;
        const opt = { training: false };
        let epsPred: tf.Tensor4D;
        let learnedBpd: tf.Tensor = tf.zeros([0]);
        if (learned && model.applyOutput) {
          const [e, v] = tf.split(model.applyOutput(xt, t, yy, opt), 2, 3) as tf.Tensor4D[];
          epsPred = e;
          const logVariance = learnedLogVarianceTensor(schedule, t, v);
          learnedBpd = vlbTermsBpd(schedule, { x0: x, xt, t, eps: e, logVariance });
        } else {
          epsPred = model.apply(xt, t, yy, opt);
        }
        const err = tf.sum(tf.square(tf.sub(epsPred, eps)), [1, 2, 3]);
        // x̂_0 (Ho et al. 2020, eq. 15, not clipped) for the decoder term at index 0.
        const ra = coefficientAt(schedule.sqrtRecipAlphaBars, t, 4);
        const rb = coefficientAt(schedule.sqrtRecipM1AlphaBars, t, 4);
        const pred = needsX0 ? tf.sub(tf.mul(xt, ra), tf.mul(epsPred, rb)) : tf.zeros([0]);
        return { err, pred, learnedBpd };
      });
      const sqErr = out.err;
      const x0Pred = needsX0 ? out.pred : null;
      if (!needsX0) out.pred.dispose();
      let errs: Float32Array;
      let preds: Float32Array | null = null;
      let learnedBits: Float32Array | null = null;
      try {
        errs = (await sqErr.data()) as Float32Array;
        if (x0Pred) preds = (await x0Pred.data()) as Float32Array;
        learnedBits = learned ? ((await out.learnedBpd.data()) as Float32Array) : null;
      } finally {
        sqErr.dispose();
        x0Pred?.dispose();
        out.learnedBpd.dispose();
      }
      const done: NllTerm[] = [];
      const fixedTerm = (variance: VlbVariance, i: number, n: number, k: number) =>
        i === 0 && preds
          ? decoderNll(
              schedule,
              images[n],
              preds.subarray(k * D, (k + 1) * D),
              modelLogVariance(schedule, 0, variance),
            )
          : klTermFromSquaredError(schedule, i, variance, errs[k], D);
      chunk.forEach(([i, n], k) => {
        let nats: number;
        if (opts.variance === 'learned') {
          nats = (learnedBits as Float32Array)[k] * D * Math.LN2;
          if (fixed) {
            fixed.beta[i][n] = fixedTerm('beta', i, n, k);
            fixed.betaTilde[i][n] = fixedTerm('betaTilde', i, n, k);
          }
        } else {
          nats = fixedTerm(opts.variance, i, n, k);
        }
        terms[i][n] = nats;
        done.push({ index: i, image: n, nats });
      });
      opts.onTerms?.(done);
      // Let other work (cancel messages, UI updates) in between passes.
      await new Promise((r) => setTimeout(r, 0));
    }
  } finally {
    for (const z of noiseCache.values()) z.dispose();
  }
  return fixed
    ? { terms, prior, D, variance: opts.variance, fixed }
    : { terms, prior, D, variance: opts.variance };
}

export interface NllSummary {
  /** Mean over images of the whole bound, bits per dimension. */
  bitsPerDim: number;
  /** Its standard error over the images (std / √N). */
  standardError: number;
  /** Per image, bits/dim. */
  perImage: Float64Array;
  /** Means over images, bits/dim: L_0, Σ_{i≥1} L_i, L_T. */
  decoder: number;
  diffusion: number;
  prior: number;
  /** Mean over images of each index's term, bits/dim (index 0 = L_0). */
  perIndex: Float64Array;
}

/** Summarises a complete evaluation (every index); throws if a term is missing. */
export function summarizeNll(r: NllTerms): NllSummary {
  const T = r.terms.length;
  const N = r.prior.length;
  const perImage = new Float64Array(N);
  const perIndex = new Float64Array(T);
  let decoder = 0;
  let diffusion = 0;
  let prior = 0;
  for (let n = 0; n < N; n++) {
    let total = r.prior[n];
    prior += r.prior[n];
    for (let i = 0; i < T; i++) {
      const v = r.terms[i][n];
      if (!Number.isFinite(v)) throw new Error(`term at index ${i} of image ${n} is missing`);
      total += v;
      perIndex[i] += v / N;
      if (i === 0) decoder += v;
      else diffusion += v;
    }
    perImage[n] = bitsPerDim(total, r.D);
  }
  const mean = perImage.reduce((a, b) => a + b, 0) / N;
  const variance = N > 1 ? perImage.reduce((a, b) => a + (b - mean) ** 2, 0) / (N - 1) : Number.NaN;
  const bpd = (nats: number) => bitsPerDim(nats / N, r.D);
  return {
    bitsPerDim: mean,
    standardError: Math.sqrt(variance / N),
    perImage,
    decoder: bpd(decoder),
    diffusion: bpd(diffusion),
    prior: bpd(prior),
    perIndex: perIndex.map((v) => bitsPerDim(v, r.D)),
  };
}
