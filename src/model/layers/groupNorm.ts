// Group normalisation (Wu & He 2018), which DDPM uses in place of weight normalisation.
// tfjs has no GroupNorm layer, so: split channels into G groups, normalise each group with the
// mean and (biased) variance over H, W and the channels of the group, then scale and shift.
//
// A backend may provide the whole layer (optionally followed by SiLU) as one kernel,
// GROUP_NORM_KERNEL, together with its gradient (engine/backends/groupNormKernels.ts does for
// wasm, where the composite below costs ~8 small kernels forward and ~25 backward, many of them
// slow broadcasts). It is used when the active backend has it; the composite is the reference.
import * as tf from '@tensorflow/tfjs';
import { silu } from './basic';

export interface NormWeights {
  /** [C] */
  gamma: tf.Tensor1D;
  /** [C] */
  beta: tf.Tensor1D;
}

/**
 * Kernel computing silu?(GroupNorm(x) * gamma + beta): inputs {x, gamma, beta}, NHWC float32.
 * Its first output is the result; any further outputs are what its gradient saves (backend
 * specific) and are disposed here.
 */
export const GROUP_NORM_KERNEL = 'PlaygroundGroupNorm';
/** The gradient kernel of a backend that has GROUP_NORM_KERNEL (its inputs are its own). */
export const GROUP_NORM_GRAD_KERNEL = 'PlaygroundGroupNormGrad';

/** Attributes of both kernels. */
export interface GroupNormAttrs {
  groups: number;
  eps: number;
  /** Apply SiLU to the result. */
  silu: boolean;
}

function hasFusedKernel(): boolean {
  return tf.getKernel(GROUP_NORM_KERNEL, tf.getBackend()) !== undefined;
}

function fused(x: tf.Tensor4D, p: NormWeights, attrs: GroupNormAttrs): tf.Tensor4D {
  const inputs = { x, gamma: p.gamma, beta: p.beta } as unknown as tf.NamedTensorMap;
  const out = tf.engine().runKernel(GROUP_NORM_KERNEL, inputs, attrs as unknown as tf.NamedAttrMap);
  if (!Array.isArray(out)) return out as tf.Tensor4D;
  const [y, ...saved] = out;
  // The gradient keeps its own references to what it saved.
  tf.dispose(saved);
  return y as tf.Tensor4D;
}

function check(x: tf.Tensor4D, groups: number): void {
  const c = x.shape[3];
  if (c % groups !== 0)
    throw new Error(`groupNorm: ${c} channels not divisible by ${groups} groups`);
}

/** The composite reference (any backend). */
export function groupNormComposite(
  x: tf.Tensor4D,
  p: NormWeights,
  groups: number,
  eps = 1e-5,
): tf.Tensor4D {
  check(x, groups);
  const [b, h, w, c] = x.shape;
  return tf.tidy(() => {
    const xg = tf.reshape(x, [b, h, w, groups, c / groups]);
    const { mean, variance } = tf.moments(xg, [1, 2, 4], true);
    const normed = tf.mul(tf.sub(xg, mean), tf.rsqrt(tf.add(variance, eps)));
    return tf.add(tf.mul(tf.reshape(normed, [b, h, w, c]), p.gamma), p.beta);
  });
}

export function groupNorm(x: tf.Tensor4D, p: NormWeights, groups: number, eps = 1e-5): tf.Tensor4D {
  check(x, groups);
  if (hasFusedKernel()) return fused(x, p, { groups, eps, silu: false });
  return groupNormComposite(x, p, groups, eps);
}

/** silu(groupNorm(x)), as one kernel where the backend has it. */
export function groupNormSilu(
  x: tf.Tensor4D,
  p: NormWeights,
  groups: number,
  eps = 1e-5,
): tf.Tensor4D {
  check(x, groups);
  if (hasFusedKernel()) return fused(x, p, { groups, eps, silu: true });
  return tf.tidy(() => silu(groupNormComposite(x, p, groups, eps)));
}
