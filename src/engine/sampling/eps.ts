// ε prediction for one reverse step, with classifier-free guidance batched into one forward pass.
import * as tf from '@tensorflow/tfjs';
import { guidedEps } from '../../diffusion/guidance';
import type { UNetConfig } from '../../model/config';
import type { ApplyOptions } from '../../model/unet';

/** What a sampler needs from a model (UNet satisfies it; tests may wrap or spy on `apply`). */
export interface EpsModel {
  readonly config: Pick<UNetConfig, 'imageSize' | 'inChannels' | 'numClasses' | 'learnSigma'>;
  apply(x: tf.Tensor4D, t: tf.Tensor1D, y: tf.Tensor1D | null, opts?: ApplyOptions): tf.Tensor4D;
  /** ε̂ and the variance output v on channels (UNet.applyOutput); needed for a learned Σ_θ. */
  applyOutput?(
    x: tf.Tensor4D,
    t: tf.Tensor1D,
    y: tf.Tensor1D | null,
    opts?: ApplyOptions,
  ): tf.Tensor4D;
}

/** The network pass: [ε̂], or withVariance [ε̂, v] split from the output (Nichol & Dhariwal 2021). */
function runModel(
  model: EpsModel,
  withVariance: boolean,
  ...args: [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D | null, ApplyOptions]
): tf.Tensor4D[] {
  if (!withVariance) return [model.apply(...args)];
  if (model.config.learnSigma !== true || !model.applyOutput) {
    throw new Error('this model has no learned variance Σ_θ');
  }
  return tf.split(model.applyOutput(...args), 2, 3) as tf.Tensor4D[];
}

/**
 * eps is what the sampler uses. epsCond/epsUncond are the two network outputs when guidance ran;
 * without guidance only one of them exists (the other is null) and equals eps. The same tensor
 * may appear in several fields: dispose the set of distinct tensors.
 */
export interface EpsPrediction {
  eps: tf.Tensor4D;
  epsCond: tf.Tensor4D | null;
  epsUncond: tf.Tensor4D | null;
  /**
   * The variance output v of a learned Σ_θ (asked for with withVariance), from the conditional
   * pass when guided, as GLIDE's sampler keeps it; otherwise absent.
   */
  v?: tf.Tensor4D;
}

/** True when the step needs both the conditional and the unconditional prediction. */
export function usesGuidance(
  numClasses: number,
  classes: Int32Array | null,
  guidanceScale: number,
): boolean {
  return numClasses > 0 && classes !== null && guidanceScale !== 1;
}

/**
 * ε̃ = ε_u + s(ε_c − ε_u) (Ho & Salimans 2022, Alg. 2). With guidance, the conditional and the
 * unconditional inputs go through the network as ONE batch of 2n, x and t repeated and labels
 * [classes, null × n], then the output is split: one kernel launch sequence instead of two, which
 * matters on GPUs where small batches are launch-bound. s = 1 (ε̃ = ε_c) and unconditional
 * sampling need one pass of batch n.
 */
export function predictEps(
  model: EpsModel,
  x: tf.Tensor4D,
  modelT: number,
  classes: Int32Array | null,
  guidanceScale: number,
  withVariance = false,
): EpsPrediction {
  const n = x.shape[0];
  const { numClasses } = model.config;
  const opts: ApplyOptions = { training: false };
  if (!usesGuidance(numClasses, classes, guidanceScale) || classes === null) {
    const conditional = numClasses > 0 && classes !== null;
    const [eps, v] = tf.tidy(() =>
      runModel(
        model,
        withVariance,
        x,
        tf.fill([n], modelT, 'int32') as tf.Tensor1D,
        conditional ? tf.tensor1d(classes, 'int32') : null,
        opts,
      ),
    );
    const pv = v ? { v } : {};
    return conditional
      ? { eps, epsCond: eps, epsUncond: null, ...pv }
      : { eps, epsCond: null, epsUncond: eps, ...pv };
  }
  const labels = new Int32Array(2 * n).fill(numClasses);
  labels.set(classes);
  const [eps, epsCond, epsUncond, v] = tf.tidy(() => {
    const [outEps, outV] = runModel(
      model,
      withVariance,
      tf.concat([x, x], 0),
      tf.fill([2 * n], modelT, 'int32') as tf.Tensor1D,
      tf.tensor1d(labels, 'int32'),
      opts,
    );
    const [c, u] = tf.split(outEps, 2, 0) as [tf.Tensor4D, tf.Tensor4D];
    const guided = [guidedEps(u, c, guidanceScale), c, u];
    return outV ? [...guided, tf.split(outV, 2, 0)[0] as tf.Tensor4D] : guided;
  });
  return v ? { eps, epsCond, epsUncond, v } : { eps, epsCond, epsUncond };
}

/** The distinct tensors of a prediction (fields may alias). */
export function predictionTensors(p: EpsPrediction): tf.Tensor4D[] {
  return [...new Set([p.eps, p.epsCond, p.epsUncond, p.v ?? null].filter((t) => t !== null))];
}
