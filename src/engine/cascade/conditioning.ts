// The tensor side of a cascade's conditioning (Ho et al. 2021, Sec. 2 and 4): downsampling the
// data to the base resolution, the conditioning augmentations of conditioningAugmentation.ts on a
// batch, and bilinear upsampling to the super-resolution stage's size.
import * as tf from '@tensorflow/tfjs';
import {
  blurMatrix,
  noiseAugmentCoefficients,
  trainingAugValue,
  type AugmentationKind,
} from '../../diffusion/conditioningAugmentation';
import type { Schedule } from '../../diffusion/schedule';
import type { CondInputs } from '../../model/unet';
import { deriveSeed, mulberry32 } from '../../random/seeded';

/** Seed purposes of the cascade's training draws (beside STREAM's 1–9 in random/seeded.ts). */
export const CASCADE_STREAM = { augValue: 40, augNoise: 41 } as const;

/** The resolution ratio between the stages: 28×28 MNIST from 14×14. */
export const CASCADE_FACTOR = 2;

/** Average pooling by `factor` (the low-resolution data the base stage models). */
export function downsample(x: tf.Tensor4D, factor = CASCADE_FACTOR): tf.Tensor4D {
  return tf.avgPool(x, factor, factor, 'valid');
}

/** Bilinear upsampling to size x size (half-pixel centres, as image libraries resize). */
export function upsample(x: tf.Tensor4D, size: number): tf.Tensor4D {
  return tf.image.resizeBilinear(x, [size, size], false, true);
}

/**
 * Blurs each image of x [B, h, w, C] by its own σ (low-res pixels) with the separable Gaussian
 * B X Bᵀ of blurMatrix (CDM Sec. 4.1). Square images only.
 */
export function blurImages(x: tf.Tensor4D, sigmas: readonly number[]): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  if (h !== w) throw new Error(`blur: square images only, got ${h}x${w}`);
  if (sigmas.length !== b) throw new Error(`blur: ${b} images but ${sigmas.length} σ values`);
  const mats = new Float32Array(b * c * h * h);
  for (let i = 0; i < b; i++) {
    const m = blurMatrix(h, sigmas[i]);
    for (let ch = 0; ch < c; ch++) mats.set(m, (i * c + ch) * h * h);
  }
  return tf.tidy(() => {
    const planes = tf.reshape(tf.transpose(x, [0, 3, 1, 2]), [b * c, h, w]);
    const m = tf.tensor3d(mats, [b * c, h, h]);
    const blurred = tf.matMul(tf.matMul(m, planes), m, false, true);
    return tf.transpose(tf.reshape(blurred, [b, c, h, w]), [0, 2, 3, 1]) as tf.Tensor4D;
  });
}

/** z_s = √ᾱ_s·x_low + √(1−ᾱ_s)·ε per image, s given per image (CDM Sec. 4.2). */
export function noiseAugment(
  xLow: tf.Tensor4D,
  levels: readonly number[],
  schedule: Schedule,
  noise: tf.Tensor4D,
): tf.Tensor4D {
  const b = xLow.shape[0];
  if (levels.length !== b) throw new Error(`noise augmentation: ${b} images, ${levels.length} s`);
  const signal = new Float32Array(b);
  const sd = new Float32Array(b);
  levels.forEach((s, i) => {
    const c = noiseAugmentCoefficients(schedule.alphaBars, s);
    signal[i] = c.signal;
    sd[i] = c.noise;
  });
  return tf.tidy(() =>
    tf.add(
      tf.mul(xLow, tf.tensor4d(signal, [b, 1, 1, 1])),
      tf.mul(noise, tf.tensor4d(sd, [b, 1, 1, 1])),
    ),
  );
}

export interface AugmentedCondition extends CondInputs {
  /** The augmented low-resolution image [B, h, w, C] before upsampling (for display). */
  low: tf.Tensor4D;
}

/**
 * The SR stage's inputs for low-res images x_low: augmented by `kind` with one value per image
 * (noise: s; blur: σ; none: ignored), then upsampled to `size`. The model's augLevel is s for
 * noise, 0 otherwise. All tensors returned are the caller's.
 */
export function augmentedCondition(
  xLow: tf.Tensor4D,
  kind: AugmentationKind,
  values: readonly number[],
  size: number,
  schedule: Schedule,
  noiseSeed: number,
): AugmentedCondition {
  return tf.tidy(() => {
    let low: tf.Tensor4D;
    if (kind === 'noise') {
      const eps = tf.randomNormal(xLow.shape, 0, 1, 'float32', noiseSeed) as tf.Tensor4D;
      low = noiseAugment(xLow, values, schedule, eps);
    } else if (kind === 'blur') {
      low = blurImages(xLow, values);
    } else {
      low = tf.clone(xLow);
    }
    const augLevel = tf.tensor1d(
      kind === 'noise' ? Int32Array.from(values) : new Int32Array(values.length),
      'int32',
    );
    return { low, image: upsample(low, size), augLevel };
  });
}

/**
 * What the SR stage is trained on for a batch of clean images x0 [B, H, W, C] at step `step`:
 * x_low = downsample(x0), augmented with per-example draws (trainingAugValue) seeded by
 * (seed, step), upsampled back to H. Returns the model's conditioning inputs.
 */
export function trainingCondition(
  x0: tf.Tensor4D,
  kind: AugmentationKind,
  strength: number,
  schedule: Schedule,
  seed: number,
  step: number,
): CondInputs {
  const b = x0.shape[0];
  const rand = mulberry32(deriveSeed(seed, CASCADE_STREAM.augValue, step));
  const values = Array.from({ length: b }, () =>
    trainingAugValue(kind, strength, schedule.T, rand()),
  );
  return tf.tidy(() => {
    const { low, image, augLevel } = augmentedCondition(
      downsample(x0),
      kind,
      values,
      x0.shape[1],
      schedule,
      deriveSeed(seed, CASCADE_STREAM.augNoise, step),
    );
    low.dispose();
    return augLevel ? { image, augLevel } : { image };
  });
}
