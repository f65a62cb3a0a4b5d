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
  /**
   * Side of the square pixel patches folded into channels before the U-Net (space-to-depth) and
   * unfolded after it; defaults to 1 (none). Patch 2 runs the network on a 14x14x4 grid instead
   * of 28x28x1: about 4x fewer FLOPs at the same widths, the "patching" of Hoogeboom et al. 2023
   * (simple diffusion, Sec. 3.3) and of ViT-style diffusion models. It lets a class sample a
   * guided grid in seconds on one CPU core.
   */
  patchSize?: number;
  /**
   * Improved DDPM's learned variance (Nichol & Dhariwal 2021, Sec. 3.1): the network outputs 2C
   * channels, ε̂ and an interpolation value v per pixel and channel, with
   * Σ_θ = exp(v·log β_t + (1 − v)·log β̃_t) (eq. 15). Absent or false: C channels, ε̂ only.
   */
  learnSigma?: boolean;
  /**
   * Extra input channels concatenated to x_t on the channel axis before the first conv, e.g. the
   * upsampled low-resolution image that a cascade's super-resolution stage is conditioned on
   * (Ho et al. 2021, "Cascaded Diffusion Models", Sec. 2). The output stays ε̂ with inChannels.
   * Absent or 0: none.
   */
  condChannels?: number;
  /**
   * The model also takes a noise-augmentation level s [B] (a timestep index of the same schedule),
   * embedded like t and added to the time embedding (CDM Sec. 4.2: the model is conditioned on s).
   */
  augLevelCond?: boolean;
}

/** Conditioning channels concatenated to x_t (0 for an ordinary model). */
export function condChannels(c: UNetConfig): number {
  return c.condChannels ?? 0;
}

export function conditionsOnAugLevel(c: UNetConfig): boolean {
  return c.augLevelCond === true;
}

/** Channels of the grid the first conv reads: (inChannels + condChannels) x patchSize². */
export function inputGridChannels(c: UNetConfig): number {
  return (c.inChannels + condChannels(c)) * patchSize(c) ** 2;
}

export function learnsSigma(c: UNetConfig): boolean {
  return c.learnSigma === true;
}

/** Channels the network outputs per pixel: C (ε̂), or 2C (ε̂ then v) when it learns Σ_θ. */
export function outputChannels(c: UNetConfig): number {
  return c.inChannels * (learnsSigma(c) ? 2 : 1);
}

export function patchSize(c: UNetConfig): number {
  return c.patchSize ?? 1;
}

/** Side of the grid the U-Net works on: imageSize / patchSize. */
export function gridSize(c: UNetConfig): number {
  return c.imageSize / patchSize(c);
}

/** Channels of that grid: inChannels x patchSize². */
export function gridChannels(c: UNetConfig): number {
  return c.inChannels * patchSize(c) ** 2;
}

export function timeEmbedDim(c: UNetConfig): number {
  return c.timeEmbedDim ?? 4 * c.baseChannels;
}

/** Spatial size of each level: gridSize, gridSize/2, ... */
export function levelSizes(c: UNetConfig): number[] {
  return c.channelMults.map((_, i) => gridSize(c) / 2 ** i);
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
  if (c.patchSize !== undefined && !isPositiveInt(c.patchSize)) {
    errors.push(`patchSize must be a positive integer, got ${c.patchSize}`);
  }
  if (c.learnSigma !== undefined && typeof c.learnSigma !== 'boolean') {
    errors.push(`learnSigma must be true or false, got ${String(c.learnSigma)}`);
  }
  if (c.condChannels !== undefined && !(Number.isInteger(c.condChannels) && c.condChannels >= 0)) {
    errors.push(`condChannels must be an integer >= 0, got ${c.condChannels}`);
  }
  if (c.augLevelCond !== undefined && typeof c.augLevelCond !== 'boolean') {
    errors.push(`augLevelCond must be true or false, got ${String(c.augLevelCond)}`);
  }
  if (errors.length === 0) {
    const levels = c.channelMults.length;
    const factor = 2 ** (levels - 1);
    const patch = patchSize(c);
    if (c.imageSize % patch !== 0) {
      errors.push(`imageSize ${c.imageSize} must be divisible by patchSize ${patch}`);
    } else if (gridSize(c) % factor !== 0) {
      errors.push(
        `${patch === 1 ? 'imageSize' : 'imageSize / patchSize ='} ${gridSize(c)} must be divisible ` +
          `by 2^(levels-1) = ${factor} for ${levels} levels ` +
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
