// Deterministic noise: every random tensor of a session comes from tf.randomNormal with a seed
// derived from (session seed, stream), so the same seed and settings give the same images on the
// same backend, independently of how the run is split into advance() calls.
import * as tf from '@tensorflow/tfjs';

/** Stream 0 is the initial x_T; stream k + 1 is the fresh noise z of step k. */
export const INITIAL_NOISE_STREAM = 0;
export const stepNoiseStream = (step: number): number => step + 1;

/** murmur3's 32-bit finaliser: a bijective mix, so nearby inputs give unrelated outputs. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A uint32 seed for one stream of a session seed (any safe integer, negative included). */
export function deriveSeed(seed: number, stream: number): number {
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 2 ** 32) >>> 0;
  let h = fmix32(lo ^ 0x9e3779b9);
  h = fmix32(h ^ hi);
  return fmix32(h ^ Math.imul(stream + 1, 0x27d4eb2f));
}

/** Standard normal noise of the given shape for one stream (generated in JS by tfjs: seedrandom). */
export function streamNoise(
  shape: [number, number, number, number],
  seed: number,
  stream: number,
): tf.Tensor4D {
  return tf.randomNormal(shape, 0, 1, 'float32', deriveSeed(seed, stream));
}
