// Named model sizes per data set. `tiny` exists for tests (seconds on the cpu backend); `small`
// is the default for live training in the browser; `medium` is for patient users / fast GPUs;
// `compact` folds 2x2 pixel patches into channels (config.patchSize) so that the pretrained
// models in models/ train in about an hour on two CPU cores and sample a guided grid in seconds.
// All follow the DDPM topology; DDPM's own CIFAR-10 model (ch 128, mults 1-2-2-2, 2 res blocks,
// attention at 16x16, 35.7M params) is far beyond a browser's budget.
import type { UNetConfig } from './config';
import { flopsPerImage } from './flops';
import { countParams } from './params';

export const DATASETS = ['mnist', 'cifar10'] as const;
export type DatasetName = (typeof DATASETS)[number];

export const PRESET_NAMES = ['tiny', 'small', 'medium', 'compact'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

const IMAGE: Record<DatasetName, Pick<UNetConfig, 'imageSize' | 'inChannels' | 'numClasses'>> = {
  mnist: { imageSize: 28, inChannels: 1, numClasses: 10 },
  cifar10: { imageSize: 32, inChannels: 3, numClasses: 10 },
};

type Arch = Omit<UNetConfig, 'imageSize' | 'inChannels' | 'numClasses'>;

const ARCH: Record<DatasetName, Record<PresetName, Arch>> = {
  mnist: {
    // 28 -> 14; attention at the lowest resolution.
    tiny: {
      baseChannels: 8,
      channelMults: [1, 2],
      numResBlocks: 1,
      attentionResolutions: [14],
      groups: 4,
      dropout: 0,
    },
    // 28 -> 14 -> 7, the hyper-parameters of the PyTorch net in shared/FINDINGS.md (ch 32, 1-2-2,
    // one res block, attention at 7x7). With the full DDPM topology (numResBlocks + 1 up blocks,
    // resampling convs, mid attention) that is 1.11M params and 0.38 GFLOP/image, against the
    // 0.71M / 0.27 measured there, so that net must be a leaner variant of the same layout.
    small: {
      baseChannels: 32,
      channelMults: [1, 2, 2],
      numResBlocks: 1,
      attentionResolutions: [7],
      groups: 8,
      dropout: 0.1,
    },
    medium: {
      baseChannels: 64,
      channelMults: [1, 2, 2],
      numResBlocks: 2,
      attentionResolutions: [7],
      groups: 16,
      dropout: 0.1,
    },
    // 2x2 patches: a 14x14x4 grid, 14 -> 7, attention only in the middle. 0.37M params and
    // 53 MFLOP/image, so 50 guided DDIM steps for 16 digits (batch 32) take ~4 s on one wasm thread.
    compact: {
      baseChannels: 24,
      channelMults: [1, 2],
      numResBlocks: 1,
      attentionResolutions: [],
      groups: 8,
      dropout: 0,
      patchSize: 2,
    },
  },
  cifar10: {
    // 32 -> 16.
    tiny: {
      baseChannels: 8,
      channelMults: [1, 2],
      numResBlocks: 1,
      attentionResolutions: [16],
      groups: 4,
      dropout: 0,
    },
    // 32 -> 16 -> 8 -> 4, DDPM's CIFAR-10 level layout at a quarter of the width, 1 res block.
    small: {
      baseChannels: 32,
      channelMults: [1, 2, 2, 2],
      numResBlocks: 1,
      attentionResolutions: [8],
      groups: 8,
      dropout: 0.1,
    },
    // DDPM's CIFAR-10 layout (2 res blocks, attention at 16x16) at half the width.
    medium: {
      baseChannels: 64,
      channelMults: [1, 2, 2, 2],
      numResBlocks: 2,
      attentionResolutions: [16],
      groups: 16,
      dropout: 0.1,
    },
    // 2x2 patches: a 16x16x12 grid, 16 -> 8 -> 4, attention at 8x8 and in the middle.
    compact: {
      baseChannels: 32,
      channelMults: [1, 2, 2],
      numResBlocks: 1,
      attentionResolutions: [8],
      groups: 8,
      dropout: 0,
      patchSize: 2,
    },
  },
};

/** A fresh copy of the named preset (safe to modify). */
export function getPreset(dataset: DatasetName, name: PresetName): UNetConfig {
  const arch = ARCH[dataset]?.[name];
  if (!arch) throw new Error(`unknown preset ${dataset}/${name}`);
  return {
    ...IMAGE[dataset],
    ...arch,
    channelMults: [...arch.channelMults],
    attentionResolutions: [...arch.attentionResolutions],
  };
}

export function listDatasets(): DatasetName[] {
  return [...DATASETS];
}

export function listPresets(): PresetName[] {
  return [...PRESET_NAMES];
}

export interface PresetDescription {
  dataset: DatasetName;
  name: PresetName;
  config: UNetConfig;
  params: number;
  flopsPerImage: number;
}

/** Size and cost of a preset, computed analytically (no tensors are created). */
export function describePreset(dataset: DatasetName, name: PresetName): PresetDescription {
  const config = getPreset(dataset, name);
  return {
    dataset,
    name,
    config,
    params: countParams(config),
    flopsPerImage: flopsPerImage(config),
  };
}

export function describeAllPresets(): PresetDescription[] {
  return DATASETS.flatMap((d) => PRESET_NAMES.map((n) => describePreset(d, n)));
}
