// The Likelihood view's Σ_θ panel in the worker: learnedSigmaProfile (engine/likelihood) on the
// first few test images of the model's data set, from a weights lease (released however it ends).
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../../data/dataset';
import { sampleBatch } from '../../data/dataset';
import type { Schedule } from '../../diffusion/schedule';
import {
  learnedSigmaProfile,
  profileTimesteps,
  type SigmaProfile,
} from '../likelihood/sigmaProfile';
import type { WeightsLease } from './weights';

export interface SigmaProfileRequest {
  /** Test images 0 .. images − 1 (1..16). */
  images: number;
  /** About this many timesteps, log-spaced (2..200). */
  timesteps: number;
  seed: number;
}

export const MAX_SIGMA_PROFILE_IMAGES = 16;

export async function runSigmaProfile(
  target: { lease: WeightsLease; schedule: Schedule; dataset: Dataset },
  req: SigmaProfileRequest,
): Promise<SigmaProfile> {
  let x0: tf.Tensor4D | null = null;
  try {
    const { images, timesteps, seed } = req;
    if (!Number.isInteger(images) || images < 1 || images > MAX_SIGMA_PROFILE_IMAGES) {
      throw new RangeError(`images must be an integer in [1, ${MAX_SIGMA_PROFILE_IMAGES}]`);
    }
    if (!Number.isInteger(timesteps) || timesteps < 2 || timesteps > 200) {
      throw new RangeError('timesteps must be an integer in [2, 200]');
    }
    if (!Number.isInteger(seed) || seed < 0) throw new RangeError('seed must be an integer >= 0');
    const batch = sampleBatch(
      target.dataset,
      Array.from({ length: images }, (_, i) => i),
    );
    x0 = tf.tensor4d(batch.images, batch.shape);
    return await learnedSigmaProfile(target.lease.model, target.schedule, x0, {
      ts: profileTimesteps(target.schedule.T, timesteps),
      seed,
    });
  } finally {
    x0?.dispose();
    target.lease.release();
  }
}
