// What a learned variance learned: Σ_θ(x_t, t) = exp(v·log β_t + (1 − v)·log β̃_t) (Nichol &
// Dhariwal 2021, eq. 15) per timestep, summarised over the pixels of a few noised test images
// x_t ~ q(x_t | x_0) (Ho et al. 2020, eq. 4): the mean of log Σ_θ (so exp of it is the geometric
// mean), its 10th and 90th percentiles (a band), and the mean interpolation weight v, beside the
// two fixed choices log β_t and log β̃_t that bound it when v ∈ [0, 1]. Improved DDPM's Fig. 1
// point: β_t and β̃_t differ only at small t, so that is where v matters.
import * as tf from '@tensorflow/tfjs';
import { coefficientAt } from '../../diffusion/coefficients';
import type { Schedule } from '../../diffusion/schedule';
import { learnedLogVarianceTensor } from '../../diffusion/vlbTensor';
import type { EpsModel } from '../sampling/eps';
import { streamNoise } from '../sampling/seeds';

export interface SigmaProfile {
  /** Model timesteps (0-based), ascending. */
  t: number[];
  /** Natural logs, per t: mean over pixels and images of log Σ_θ, and its 10th / 90th percentiles. */
  meanLogSigma: number[];
  lowLogSigma: number[];
  highLogSigma: number[];
  /** Mean over pixels and images of v = (out + 1)/2. */
  meanV: number[];
  /** log β_t and log β̃_t (β̃ clipped at t = 0 as improved-diffusion does). */
  logBeta: number[];
  logBetaTilde: number[];
  images: number;
}

/** About `count` timesteps from 0 to T − 1, log-spaced in t + 1 so small t (where β ≠ β̃) is dense. */
export function profileTimesteps(T: number, count: number): number[] {
  const out = new Set<number>();
  for (let k = 0; k < count; k++) {
    out.add(Math.min(T - 1, Math.round(Math.exp((Math.log(T) * k) / Math.max(1, count - 1))) - 1));
  }
  return [...out].sort((a, b) => a - b);
}

/** The q-quantile (linear interpolation) of sorted values. */
export function quantileSorted(sorted: Float32Array, q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * Σ_θ at each of `ts` for the images x0 ([N, H, W, C] in [−1, 1]), with the model's null class.
 * One network pass per `perPass` timesteps; the noise of timestep index k is stream k of `seed`.
 */
export async function learnedSigmaProfile(
  model: EpsModel,
  schedule: Schedule,
  x0: tf.Tensor4D,
  opts: { ts: readonly number[]; seed: number; perPass?: number },
): Promise<SigmaProfile> {
  if (model.config.learnSigma !== true || !model.applyOutput) {
    throw new Error('this model has no learned variance Σ_θ (train it with "Learn Σ")');
  }
  const applyOutput = model.applyOutput.bind(model);
  const [N, H, W, C] = x0.shape;
  const D = H * W * C;
  for (const t of opts.ts) {
    if (!Number.isInteger(t) || t < 0 || t >= schedule.T) {
      throw new RangeError(`timesteps must be integers in [0, ${schedule.T - 1}] (got ${t})`);
    }
  }
  const perPass = Math.max(1, opts.perPass ?? Math.max(1, Math.floor(64 / N)));
  const r: SigmaProfile = {
    t: [],
    meanLogSigma: [],
    lowLogSigma: [],
    highLogSigma: [],
    meanV: [],
    logBeta: [],
    logBetaTilde: [],
    images: N,
  };
  const ts = [...opts.ts].sort((a, b) => a - b);
  for (let start = 0; start < ts.length; start += perPass) {
    const chunk = ts.slice(start, start + perPass);
    const packed = tf.tidy(() => {
      const tIdx = Int32Array.from(chunk.flatMap((t) => new Array<number>(N).fill(t)));
      const t = tf.tensor1d(tIdx, 'int32');
      const x = tf.concat(chunk.map(() => x0)) as tf.Tensor4D;
      const eps = tf.concat(
        chunk.map((_, k) => streamNoise([N, H, W, C], opts.seed, start + k)),
      ) as tf.Tensor4D;
      const a = coefficientAt(schedule.sqrtAlphaBars, t, 4);
      const b = coefficientAt(schedule.sqrtOneMinusAlphaBars, t, 4);
      const xt = tf.add(tf.mul(x, a), tf.mul(eps, b)) as tf.Tensor4D;
      const [, out] = tf.split(
        applyOutput(xt, t, null, { training: false }),
        2,
        3,
      ) as tf.Tensor4D[];
      const logVar = learnedLogVarianceTensor(schedule, t, out);
      // One readback: [log Σ_θ ..., v ...].
      return tf.concat([tf.reshape(logVar, [-1]), tf.reshape(tf.div(tf.add(out, 1), 2), [-1])]);
    });
    const data = await packed.data<'float32'>();
    packed.dispose();
    const size = N * D;
    chunk.forEach((t, k) => {
      const logVar = data.slice(k * size, (k + 1) * size);
      const v = data.subarray(chunk.length * size + k * size, chunk.length * size + (k + 1) * size);
      let sum = 0;
      let sumV = 0;
      for (let i = 0; i < size; i++) {
        sum += logVar[i];
        sumV += v[i];
      }
      logVar.sort();
      r.t.push(t);
      r.meanLogSigma.push(sum / size);
      r.lowLogSigma.push(quantileSorted(logVar, 0.1));
      r.highLogSigma.push(quantileSorted(logVar, 0.9));
      r.meanV.push(sumV / size);
      r.logBeta.push(Math.log(schedule.betas[t]));
      r.logBetaTilde.push(schedule.posteriorLogVarianceClipped[t]);
    });
  }
  return r;
}
