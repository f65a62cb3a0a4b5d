// Deterministic noise: every random tensor of a session comes from tf.randomNormal with a seed
// derived from (session seed, stream) by the project's one seed derivation (random/seeded.ts), so
// the same seed and settings give the same images on the same backend, seed 0 included, and
// independently of how the run is split into advance() calls.
import * as tf from '@tensorflow/tfjs';
import { deriveSeed, STREAM } from '../../random/seeded';

/** Stream 0 is the initial x_T; stream k + 1 is the fresh noise z of step k. */
export const INITIAL_NOISE_STREAM = 0;
export const stepNoiseStream = (step: number): number => step + 1;

/** The tfjs seed (never 0) of one stream of a session seed (any safe integer). */
export function streamSeed(seed: number, stream: number): number {
  return deriveSeed(seed, STREAM.sampling, stream);
}

/** Standard normal noise of the given shape for one stream (generated in JS by tfjs: seedrandom). */
export function streamNoise(
  shape: [number, number, number, number],
  seed: number,
  stream: number,
): tf.Tensor4D {
  return tf.randomNormal(shape, 0, 1, 'float32', streamSeed(seed, stream));
}
