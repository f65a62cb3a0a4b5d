// The "judges": small CNNs that classify generated images and whose penultimate layer gives the
// features of the Fréchet distance (as Inception-v3's pool features do for FID, Heusel et al.
// 2017). Functional tf ops on tf.variables, like the U-Net. Two layouts:
//
// 'strided' (the MNIST judge, the layout of every file without `arch`):
//   x [B, 28, 28, 1] in [-1, 1]
//   conv3x3 c1, ReLU -> conv3x3 c1 stride 2, ReLU        (28 -> 14)
//   conv3x3 c2, ReLU -> conv3x3 c2 stride 2, ReLU        (14 -> 7)
//   flatten -> dense D, ReLU  = features [B, D]
//   dense K                   = logits   [B, K]
//
// 'vgg' (the CIFAR-10 judge; Simonyan & Zisserman 2015's stacks of 3x3 convs with batch
// normalisation, Ioffe & Szegedy 2015, sized for a CPU in the manner of Page's and Jordan's
// fast CIFAR-10 nets: one conv per stage, max-pool between stages, a global max-pool at the end):
//   x [B, 32, 32, 3] in [-1, 1]
//   per stage i: (conv3x3 c_i, BN, ReLU) x convsPerStage, then maxpool 2 (not after the last)
//   global max over H, W      = features [B, c_last]   (D = c_last)
//   dense K                   = logits   [B, K]
// With flipAverage the logits and features are the mean over x and its mirror image.
//
// Glorot-uniform weights and zero biases, as Keras's defaults, seeded per parameter name.
import * as tf from '@tensorflow/tfjs';
import { dense, dropout } from './layers/basic';
import {
  half,
  stridedTrunk,
  stridedTrunkFlops,
  stridedTrunkSpecs,
  trunkGridSize,
} from './stridedTrunk';
import { batchMoments, batchNormInfer, batchNormTrain } from './layers/batchNorm';
import {
  convSpecs,
  countParams,
  createParamsFromSpecs,
  denseSpecs,
  disposeParams,
  ParamScope,
  type ParamSpec,
  type Params,
} from './params';

export type ClassifierArch = 'strided' | 'vgg';

export interface ClassifierConfig {
  imageSize: number;
  inChannels: number;
  numClasses: number;
  /** 'strided': the two conv stages [c1, c2]; 'vgg': one width per stage. */
  channels: number[];
  /** D, the width of the feature layer ('vgg': the last stage's width). */
  featureDim: number;
  /** The layout; absent means 'strided' (judge files written before 'vgg' existed). */
  arch?: ClassifierArch;
  /** 'vgg' only: 3x3 convs per stage (default 1). */
  convsPerStage?: number;
  /** 'vgg' only: average logits and features over x and its horizontal mirror. */
  flipAverage?: boolean;
}

/** The judge shipped in models/mnist-classifier: ~15 MFLOP per image, 0.27M parameters. */
export const MNIST_CLASSIFIER: ClassifierConfig = {
  imageSize: 28,
  inChannels: 1,
  numClasses: 10,
  channels: [32, 64],
  featureDim: 64,
};

export interface ClassifierOutput {
  /** [B, K] unnormalised class scores. */
  logits: tf.Tensor2D;
  /** [B, D] post-ReLU activations of the penultimate layer. */
  features: tf.Tensor2D;
}

/**
 * The CIFAR-10 judge shipped in models/cifar10-classifier: 9 MFLOP per image, 0.14M parameters.
 * Narrow at 32x32, where activations (batch norm, ReLU, pooling passes) cost the most on a CPU.
 */
export const CIFAR10_CLASSIFIER: ClassifierConfig = {
  imageSize: 32,
  inChannels: 3,
  numClasses: 10,
  channels: [16, 32, 64, 192],
  featureDim: 192,
  arch: 'vgg',
  convsPerStage: 1,
  flipAverage: false,
};

export interface ClassifierApplyOptions {
  /** Dropout on the features while training (default 0: none). */
  dropout?: number;
  dropoutSeed?: number;
  /**
   * 'vgg': normalise with each batch's own statistics (training, and measuring the population
   * statistics) instead of the stored population ones. Default false.
   */
  batchStatistics?: boolean;
  /** With batchStatistics: receives each BN layer's batch mean and variance (caller disposes). */
  onBatchMoments?: (layer: string, mean: tf.Tensor1D, variance: tf.Tensor1D) => void;
}

export const archOf = (config: ClassifierConfig): ClassifierArch => config.arch ?? 'strided';

/** Side of the last feature map (7 for 28 'strided', 4 for 32 with four 'vgg' stages). */
export function finalGridSize(config: ClassifierConfig): number {
  let s = config.imageSize;
  const downsamplings = archOf(config) === 'vgg' ? config.channels.length - 1 : 2;
  for (let i = 0; i < downsamplings; i++) s = half(s);
  return s;
}

const isPositiveInt = (v: number): boolean => Number.isInteger(v) && v >= 1;

export function validateClassifierConfig(config: ClassifierConfig): void {
  const { imageSize, inChannels, numClasses, channels, featureDim } = config;
  const arch = archOf(config);
  const ok =
    (arch === 'strided' || arch === 'vgg') &&
    [imageSize, inChannels, featureDim].every(isPositiveInt) &&
    Number.isInteger(numClasses) &&
    numClasses >= 2 &&
    Array.isArray(channels) &&
    channels.every(isPositiveInt) &&
    (arch === 'strided'
      ? channels.length === 2 &&
        config.convsPerStage === undefined &&
        config.flipAverage === undefined
      : channels.length >= 1 &&
        channels.length <= 6 &&
        featureDim === channels[channels.length - 1] &&
        isPositiveInt(config.convsPerStage ?? 1) &&
        (config.convsPerStage ?? 1) <= 4 &&
        (config.flipAverage === undefined || typeof config.flipAverage === 'boolean'));
  if (!ok) {
    throw new Error(
      `invalid classifier config ${JSON.stringify(config)}: sizes must be positive integers, ` +
        'numClasses >= 2; arch "strided": two channels; arch "vgg": 1 to 6 stage widths, ' +
        'featureDim equal to the last, 1 to 4 convsPerStage',
    );
  }
}

/** Names of the 'vgg' layers: conv `s{i}.conv{j}` and its batch norm `s{i}.bn{j}`. */
function vggLayers(
  config: ClassifierConfig,
): { conv: string; bn: string; cin: number; cout: number }[] {
  const out: { conv: string; bn: string; cin: number; cout: number }[] = [];
  let cin = config.inChannels;
  config.channels.forEach((c, i) => {
    for (let j = 0; j < (config.convsPerStage ?? 1); j++) {
      out.push({ conv: `s${i}.conv${j}`, bn: `s${i}.bn${j}`, cin, cout: c });
      cin = c;
    }
  });
  return out;
}

/** Batch-norm population statistics: stored with the weights, never trained. */
export const isStatisticName = (name: string): boolean =>
  name.endsWith('.mean') || name.endsWith('.variance');

function vggParamSpecs(config: ClassifierConfig): ParamSpec[] {
  const specs: ParamSpec[] = [];
  for (const { conv, bn, cin, cout } of vggLayers(config)) {
    // No conv bias: the batch norm's β replaces it.
    specs.push(convSpecs(conv, 3, cin, cout)[0]);
    specs.push(
      { name: `${bn}.gamma`, shape: [cout], init: { kind: 'ones' } },
      { name: `${bn}.beta`, shape: [cout], init: { kind: 'zeros' } },
      { name: `${bn}.mean`, shape: [cout], init: { kind: 'zeros' } },
      { name: `${bn}.variance`, shape: [cout], init: { kind: 'ones' } },
    );
  }
  specs.push(...denseSpecs('logits', config.featureDim, config.numClasses));
  return specs;
}

/** Every parameter, in forward order. */
export function classifierParamSpecs(config: ClassifierConfig): ParamSpec[] {
  validateClassifierConfig(config);
  if (archOf(config) === 'vgg') return vggParamSpecs(config);
  const c2 = config.channels[1];
  const s = finalGridSize(config);
  return [
    ...stridedTrunkSpecs(config.inChannels, config.channels),
    ...denseSpecs('features', s * s * c2, config.featureDim),
    ...denseSpecs('logits', config.featureDim, config.numClasses),
  ];
}

/** Forward FLOPs per image (multiply-add = 2), convolutions and dense layers only. */
export function classifierFlops(config: ClassifierConfig): number {
  const { imageSize: s0, inChannels: c0, channels, featureDim: d, numClasses: k } = config;
  const conv = (s: number, cin: number, cout: number) => 2 * s * s * 9 * cin * cout;
  if (archOf(config) === 'vgg') {
    let s = s0;
    let flops = 0;
    let stage = 0;
    for (const { cin, cout, conv: name } of vggLayers(config)) {
      const i = Number(name.slice(1, name.indexOf('.')));
      for (; stage < i; stage++) s = half(s);
      flops += conv(s, cin, cout);
    }
    return (config.flipAverage ? 2 : 1) * (flops + 2 * d * k);
  }
  const s2 = trunkGridSize(s0);
  return stridedTrunkFlops(s0, c0, channels) + 2 * s2 * s2 * channels[1] * d + 2 * d * k;
}

export class Classifier {
  constructor(
    readonly config: ClassifierConfig,
    readonly params: Params,
  ) {
    validateClassifierConfig(config);
  }

  static create(config: ClassifierConfig, opts: { seed?: number } = {}): Classifier {
    return new Classifier(config, createParamsFromSpecs(classifierParamSpecs(config), opts));
  }

  get numParams(): number {
    return countParams(this.params);
  }

  /** The variables an optimiser updates: all but the batch norms' population statistics. */
  trainableVariables(): tf.Variable[] {
    return [...this.params.entries()].filter(([n]) => !isStatisticName(n)).map(([, v]) => v);
  }

  /** Logits and features of a batch of images in [-1, 1] (NHWC). */
  apply(x: tf.Tensor4D, opts: ClassifierApplyOptions = {}): ClassifierOutput {
    const { imageSize: s, inChannels: c } = this.config;
    if (x.rank !== 4 || x.shape[1] !== s || x.shape[2] !== s || x.shape[3] !== c) {
      throw new Error(`classifier: x must be [B, ${s}, ${s}, ${c}], got [${x.shape.join(', ')}]`);
    }
    if (archOf(this.config) === 'vgg') {
      if (!this.config.flipAverage) return this.applyVgg(x, opts);
      return tf.tidy(() => {
        const a = this.applyVgg(x, opts);
        const b = this.applyVgg(tf.reverse(x, 2), opts);
        return {
          logits: tf.div(tf.add(a.logits, b.logits), 2) as tf.Tensor2D,
          features: tf.div(tf.add(a.features, b.features), 2) as tf.Tensor2D,
        };
      });
    }
    const p = new ParamScope(this.params);
    return tf.tidy(() => {
      const h = stridedTrunk(p, x, { activation: (t) => tf.relu(t) });
      const flat = tf.reshape(h, [x.shape[0], -1]) as tf.Tensor2D;
      const features = tf.relu(dense(flat, { w: p.t2('features.w'), b: p.t1('features.b') }));
      const rate = opts.dropout ?? 0;
      const dropped = rate > 0 ? dropout(features, rate, opts.dropoutSeed) : features;
      const logits = dense(dropped, { w: p.t2('logits.w'), b: p.t1('logits.b') });
      return { logits, features };
    });
  }

  private applyVgg(x: tf.Tensor4D, opts: ClassifierApplyOptions): ClassifierOutput {
    const p = new ParamScope(this.params);
    return tf.tidy(() => {
      let h = x;
      let stage = 0;
      for (const { conv, bn } of vggLayers(this.config)) {
        const i = Number(conv.slice(1, conv.indexOf('.')));
        for (; stage < i; stage++) h = tf.maxPool(h, 2, 2, 'same');
        h = tf.conv2d(h, p.t4(`${conv}.w`), 1, 'same');
        const weights = { gamma: p.t1(`${bn}.gamma`), beta: p.t1(`${bn}.beta`) };
        if (opts.batchStatistics) {
          if (opts.onBatchMoments) {
            const m = batchMoments(h);
            opts.onBatchMoments(bn, tf.keep(m.mean), tf.keep(m.variance));
          }
          h = batchNormTrain(h, weights);
        } else {
          const stats = { mean: p.t1(`${bn}.mean`), variance: p.t1(`${bn}.variance`) };
          h = batchNormInfer(h, weights, stats);
        }
        h = tf.relu(h);
      }
      const features = tf.max(h, [1, 2]) as tf.Tensor2D;
      const rate = opts.dropout ?? 0;
      const dropped = rate > 0 ? dropout(features, rate, opts.dropoutSeed) : features;
      const logits = dense(dropped, { w: p.t2('logits.w'), b: p.t1('logits.b') });
      return { logits, features };
    });
  }

  dispose(): void {
    disposeParams(this.params);
  }
}
