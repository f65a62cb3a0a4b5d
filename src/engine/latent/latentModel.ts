// A latent diffusion model in memory: the autoencoder, the U-Net that denoises its scaled latents
// and the scale factor between them (Rombach et al. 2022, Sec. 3 and 4.3.2):
//   training   z = E(x) (the posterior mean), the U-Net learns ε on z·scale
//   sampling   z_T ~ N(0, I) → … → ẑ₀ (any sampler, guidance as for pixels) → x = D(ẑ₀ / scale)
import * as tf from '@tensorflow/tfjs';
import { unscaleLatents } from '../../diffusion/latentScaling';
import { makeSchedule, type Schedule } from '../../diffusion/schedule';
import { latentShape, type Autoencoder } from '../../model/autoencoder';
import type { UNetConfig } from '../../model/config';
import type { UNet } from '../../model/unet';
import { createUNetFromCheckpoint, decodeCheckpoint } from '../checkpoint';
import { CheckpointError } from '../checkpoint/errors';
import type { CheckpointManifest } from '../checkpoint/types';
import {
  createAutoencoderFromCheckpoint,
  decodeAutoencoder,
  type AutoencoderManifest,
} from './autoencoderCheckpoint';
import { checkScaleAgrees, validateLatentIndex, type LatentIndex } from './latentIndex';

/**
 * The latent U-Net: one level at 7x7 (8x8 for CIFAR-10), channelMults [1]. A second level would
 * halve 7 to 3.5 (the U-Net's up path must restore every size exactly, so 7 does not divide);
 * with one level, two res blocks per level and the middle's self-attention, every output
 * position already sees the whole 7x7 grid, which is what the downsampling is for at 28x28.
 */
export function latentUNetConfig(
  shape: readonly [number, number, number],
  numClasses: number,
  baseChannels = 32,
): UNetConfig {
  return {
    imageSize: shape[0],
    inChannels: shape[2],
    baseChannels,
    channelMults: [1],
    numResBlocks: 2,
    attentionResolutions: [],
    groups: 8,
    dropout: 0,
    numClasses,
  };
}

export interface LatentModel {
  index: LatentIndex;
  autoencoder: Autoencoder;
  autoencoderManifest: AutoencoderManifest;
  unet: UNet;
  unetManifest: CheckpointManifest;
  schedule: Schedule;
  scaleFactor: number;
}

export interface RawLatentFiles {
  index: unknown;
  autoencoder: { modelJson: unknown; weights: ArrayBuffer };
  unet: { modelJson: unknown; weights: ArrayBuffer };
}

/**
 * Validates the three parts and that they fit together (latent shapes, data set, scale factor)
 * before creating any tensor; throws a CheckpointError naming the problem.
 */
export async function decodeLatentModel(raw: RawLatentFiles): Promise<LatentModel> {
  const index = validateLatentIndex(raw.index);
  const ae = decodeAutoencoder(raw.autoencoder.modelJson, raw.autoencoder.weights);
  const un = await decodeCheckpoint(raw.unet.modelJson, raw.unet.weights);
  const want = latentShape(ae.manifest.autoencoderConfig);
  const got = un.manifest.latentShape;
  if (!got) {
    throw new CheckpointError(
      'mismatch',
      `the U-Net in ${index.unet}/ is a pixel-space model (its model.json has no latentShape)`,
    );
  }
  if (got.some((d, i) => d !== want[i])) {
    throw new CheckpointError(
      'mismatch',
      `the U-Net denoises ${got.join('x')} latents but the autoencoder makes ${want.join('x')}`,
    );
  }
  if (un.manifest.dataset !== ae.manifest.dataset) {
    throw new CheckpointError(
      'mismatch',
      `the U-Net was trained on ${un.manifest.dataset}, the autoencoder on ${ae.manifest.dataset}`,
    );
  }
  checkScaleAgrees(index, ae.manifest.scaleFactor);
  const schedule = makeSchedule(un.manifest.schedule);
  const autoencoder = createAutoencoderFromCheckpoint(ae);
  let unet: UNet;
  try {
    unet = createUNetFromCheckpoint(un);
  } catch (e) {
    autoencoder.dispose();
    throw e;
  }
  return {
    index,
    autoencoder,
    autoencoderManifest: ae.manifest,
    unet,
    unetManifest: un.manifest,
    schedule,
    scaleFactor: index.scaleFactor,
  };
}

export function disposeLatentModel(m: LatentModel): void {
  m.autoencoder.dispose();
  m.unet.dispose();
}

/**
 * x = D(z / scale) for n scaled latents (NHWC, flat), clipped to the pixels' [-1, 1] (the
 * decoder's output is not bounded); one readback.
 */
export async function decodeScaledLatents(
  ae: Autoencoder,
  z: Float32Array,
  n: number,
  scale: number,
): Promise<Float32Array> {
  const shape = latentShape(ae.config);
  const x = tf.tidy(() =>
    tf.clipByValue(ae.decode(tf.tensor4d(unscaleLatents(z, scale), [n, ...shape])), -1, 1),
  );
  try {
    return (await x.data()) as Float32Array;
  } finally {
    x.dispose();
  }
}
