// U-Net configs of the two stages of an MNIST cascade (Ho et al. 2021): a base model at 14×14
// and a super-resolution model at 28×28 that also reads the upsampled 14×14 image (condChannels).
// `compact` is what models/mnist-cascade ships; `tiny` is for tests and quick browser training.
import type { AugmentationKind } from '../diffusion/conditioningAugmentation';
import type { UNetConfig } from './config';

export const CASCADE_PRESETS = ['tiny', 'compact'] as const;
export type CascadePreset = (typeof CASCADE_PRESETS)[number];

/**
 * The base stage: 14×14×1, 10 classes + null (classifier-free guidance). No patching: 14 / 2 = 7
 * is odd, so patch 2 with two levels would not halve evenly; instead the plain U-Net runs at
 * 14 → 7, which costs what the compact 28×28 model's 14×14×4 grid costs.
 */
export function cascadeBaseConfig(preset: CascadePreset): UNetConfig {
  return {
    imageSize: 14,
    inChannels: 1,
    numClasses: 10,
    baseChannels: preset === 'tiny' ? 8 : 24,
    channelMults: [1, 2],
    numResBlocks: 1,
    attentionResolutions: [],
    groups: preset === 'tiny' ? 4 : 8,
    dropout: 0,
  };
}

/**
 * The SR stage: 28×28×1 with 2×2 patches (the `compact` preset's patching), x_t and the upsampled
 * low-res image concatenated (2 channels in, 8 on the 14×14 grid), ε̂ for the 28×28 image out.
 * Not class-conditional (the low-res image says which digit); it takes the augmentation level s
 * only when trained with noise augmentation (CDM Sec. 4.2).
 */
export function cascadeSrConfig(preset: CascadePreset, aug: AugmentationKind): UNetConfig {
  return {
    imageSize: 28,
    inChannels: 1,
    numClasses: 0,
    baseChannels: preset === 'tiny' ? 8 : 24,
    channelMults: [1, 2],
    numResBlocks: 1,
    attentionResolutions: [],
    groups: preset === 'tiny' ? 4 : 8,
    dropout: 0,
    patchSize: 2,
    condChannels: 1,
    ...(aug === 'noise' ? { augLevelCond: true } : {}),
  };
}
