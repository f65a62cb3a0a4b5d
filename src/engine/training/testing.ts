// Test helpers (not imported by app code): a synthetic data set and a micro U-Net config, so the
// trainer's tests run in milliseconds per step.
import type { Dataset } from '../../data/dataset';
import type { UNetConfig } from '../../model/config';
import { mulberry32 } from '../../random/seeded';

/** `count` random 8x8 single-channel images with labels 0..classes-1. */
export function syntheticDataset(count = 32, classes = 3, size = 8, channels = 1): Dataset {
  const rand = mulberry32(12345);
  const images = new Uint8Array(count * size * size * channels);
  for (let i = 0; i < images.length; i++) images[i] = Math.floor(rand() * 256);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) labels[i] = i % classes;
  return {
    name: 'mnist',
    split: 'train',
    height: size,
    width: size,
    channels,
    classNames: Array.from({ length: classes }, (_, i) => `c${i}`),
    count,
    images,
    labels,
  };
}

/** One level, one res block, 4 channels: the smallest valid U-Net (attention only in the middle). */
export function microConfig(numClasses = 3): UNetConfig {
  return {
    imageSize: 8,
    inChannels: 1,
    baseChannels: 4,
    channelMults: [1],
    numResBlocks: 1,
    attentionResolutions: [],
    groups: 2,
    dropout: 0,
    numClasses,
  };
}
