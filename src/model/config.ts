// U-Net hyper-parameters. The topology follows the DDPM U-Net (Ho et al. 2020, Appendix B and
// their `diffusion_tf/models/unet.py`): a resolution level per entry of `channelMults`,
// `numResBlocks` residual blocks per level on the way down and `numResBlocks + 1` on the way up,
// self-attention at the listed resolutions and always in the middle.

export interface UNetConfig {
  /** Height = width of the (square) input images. */
  imageSize: number;
  /** Image channels (1 for MNIST, 3 for CIFAR-10); the network predicts ε with the same shape. */
  inChannels: number;
  /** Channels of the first level; level i has baseChannels * channelMults[i]. */
  baseChannels: number;
  /** One entry per resolution level; the image is halved between consecutive levels. */
  channelMults: number[];
  /** Residual blocks per level on the down path (the up path has one more). */
  numResBlocks: number;
  /** Spatial sizes (e.g. 7 for 7x7) whose levels get a self-attention block after each res block. */
  attentionResolutions: number[];
  /** GroupNorm groups (Wu & He 2018); every normalised channel count must be divisible by it. */
  groups: number;
  /** Dropout rate inside the residual blocks, applied only when training. */
  dropout: number;
  /**
   * 0 = unconditional. Otherwise labels 0..numClasses-1 plus one learned *null* label
   * `numClasses`, used for classifier-free guidance (Ho & Salimans 2022).
   */
  numClasses: number;
  /** Width of the time (and class) embedding; defaults to 4 * baseChannels as in DDPM. */
  timeEmbedDim?: number;
}

export function timeEmbedDim(c: UNetConfig): number {
  return c.timeEmbedDim ?? 4 * c.baseChannels;
}

/** Spatial size of each level: imageSize, imageSize/2, ... */
export function levelSizes(c: UNetConfig): number[] {
  return c.channelMults.map((_, i) => c.imageSize / 2 ** i);
}

function isPositiveInt(v: number): boolean {
  return Number.isInteger(v) && v > 0;
}

/** Throws an Error listing every problem found; returns the config unchanged when valid. */
export function validateConfig(c: UNetConfig): UNetConfig {
  const errors: string[] = [];
  const positive: Array<[string, number]> = [
    ['imageSize', c.imageSize],
    ['inChannels', c.inChannels],
    ['baseChannels', c.baseChannels],
    ['numResBlocks', c.numResBlocks],
    ['groups', c.groups],
  ];
  for (const [name, v] of positive) {
    if (!isPositiveInt(v)) errors.push(`${name} must be a positive integer, got ${v}`);
  }
  if (!Array.isArray(c.channelMults) || c.channelMults.length === 0) {
    errors.push('channelMults must list at least one level');
  } else if (!c.channelMults.every(isPositiveInt)) {
    errors.push(`channelMults must be positive integers, got [${c.channelMults.join(', ')}]`);
  }
  if (!Number.isInteger(c.numClasses) || c.numClasses < 0) {
    errors.push(`numClasses must be an integer >= 0, got ${c.numClasses}`);
  }
  if (!(c.dropout >= 0 && c.dropout < 1))
    errors.push(`dropout must be in [0, 1), got ${c.dropout}`);
  if (Number.isInteger(c.baseChannels) && c.baseChannels < 4) {
    // The sinusoidal embedding of width baseChannels needs half - 1 > 0.
    errors.push(
      `baseChannels must be >= 4 (it is the sinusoidal embedding width), got ${c.baseChannels}`,
    );
  }
  if (c.timeEmbedDim !== undefined && !isPositiveInt(c.timeEmbedDim)) {
    errors.push(`timeEmbedDim must be a positive integer, got ${c.timeEmbedDim}`);
  }
  if (errors.length === 0) {
    const levels = c.channelMults.length;
    const factor = 2 ** (levels - 1);
    if (c.imageSize % factor !== 0) {
      errors.push(
        `imageSize ${c.imageSize} must be divisible by 2^(levels-1) = ${factor} for ${levels} levels ` +
          '(each downsample halves it and the up path must restore the same sizes)',
      );
    }
    // Every GroupNorm sees a multiple of some level's width (the up path normalises sums of them).
    for (const m of [1, ...c.channelMults]) {
      const ch = c.baseChannels * m;
      if (ch % c.groups !== 0) {
        errors.push(
          `channels ${ch} (baseChannels ${c.baseChannels} x ${m}) not divisible by groups ${c.groups}`,
        );
      }
    }
    const sizes = levelSizes(c);
    for (const r of c.attentionResolutions) {
      if (!sizes.includes(r)) {
        errors.push(
          `attention resolution ${r} is not a level size; the levels are [${sizes.join(', ')}]`,
        );
      }
    }
  }
  if (errors.length > 0) throw new Error(`Invalid U-Net config:\n  - ${errors.join('\n  - ')}`);
  return c;
}
