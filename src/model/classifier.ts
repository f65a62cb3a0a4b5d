// The MNIST "judge": a small CNN that classifies generated digits and whose penultimate layer
// gives the features of the Fréchet distance (as Inception-v3's pool features do for FID,
// Heusel et al. 2017). Functional tf ops on tf.variables, like the U-Net.
//
//   x [B, 28, 28, 1] in [-1, 1]
//   conv3x3 c1, ReLU -> conv3x3 c1 stride 2, ReLU        (28 -> 14)
//   conv3x3 c2, ReLU -> conv3x3 c2 stride 2, ReLU        (14 -> 7)
//   flatten -> dense D, ReLU  = features [B, D]
//   dense K                   = logits   [B, K]
//
// Glorot-uniform weights and zero biases, as Keras's defaults, seeded per parameter name.
import * as tf from '@tensorflow/tfjs';
import { conv2d, dense, dropout } from './layers/basic';
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

export interface ClassifierConfig {
  imageSize: number;
  inChannels: number;
  numClasses: number;
  /** Channels of the two conv stages [c1, c2]. */
  channels: [number, number];
  /** D, the width of the feature layer. */
  featureDim: number;
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

export interface ClassifierApplyOptions {
  /** Dropout on the features while training (default 0: none). */
  dropout?: number;
  dropoutSeed?: number;
}

/** Spatial size after a 'same' stride-2 conv. */
const half = (s: number): number => Math.ceil(s / 2);

/** Side of the last feature map (7 for 28). */
export function finalGridSize(config: ClassifierConfig): number {
  return half(half(config.imageSize));
}

const isPositiveInt = (v: number): boolean => Number.isInteger(v) && v >= 1;

export function validateClassifierConfig(config: ClassifierConfig): void {
  const { imageSize, inChannels, numClasses, channels, featureDim } = config;
  const ok =
    [imageSize, inChannels, featureDim].every(isPositiveInt) &&
    Number.isInteger(numClasses) &&
    numClasses >= 2 &&
    Array.isArray(channels) &&
    channels.length === 2 &&
    channels.every(isPositiveInt);
  if (!ok) {
    throw new Error(
      `invalid classifier config ${JSON.stringify(config)}: sizes must be positive integers, ` +
        'channels two of them, numClasses >= 2',
    );
  }
}

/** Every parameter, in forward order. */
export function classifierParamSpecs(config: ClassifierConfig): ParamSpec[] {
  validateClassifierConfig(config);
  const [c1, c2] = config.channels;
  const s = finalGridSize(config);
  return [
    ...convSpecs('conv1', 3, config.inChannels, c1),
    ...convSpecs('conv2', 3, c1, c1),
    ...convSpecs('conv3', 3, c1, c2),
    ...convSpecs('conv4', 3, c2, c2),
    ...denseSpecs('features', s * s * c2, config.featureDim),
    ...denseSpecs('logits', config.featureDim, config.numClasses),
  ];
}

/** Forward FLOPs per image (multiply-add = 2), convolutions and dense layers only. */
export function classifierFlops(config: ClassifierConfig): number {
  const { imageSize: s0, inChannels: c0, channels, featureDim: d, numClasses: k } = config;
  const [c1, c2] = channels;
  const s1 = half(s0);
  const s2 = half(s1);
  const conv = (s: number, cin: number, cout: number) => 2 * s * s * 9 * cin * cout;
  return (
    conv(s0, c0, c1) +
    conv(s1, c1, c1) +
    conv(s1, c1, c2) +
    conv(s2, c2, c2) +
    2 * s2 * s2 * c2 * d +
    2 * d * k
  );
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

  /** Logits and features of a batch of images in [-1, 1] (NHWC). */
  apply(x: tf.Tensor4D, opts: ClassifierApplyOptions = {}): ClassifierOutput {
    const { imageSize: s, inChannels: c } = this.config;
    if (x.rank !== 4 || x.shape[1] !== s || x.shape[2] !== s || x.shape[3] !== c) {
      throw new Error(`classifier: x must be [B, ${s}, ${s}, ${c}], got [${x.shape.join(', ')}]`);
    }
    const p = new ParamScope(this.params);
    const conv = (h: tf.Tensor4D, name: string, stride: 1 | 2) =>
      tf.relu(conv2d(h, { w: p.t4(`${name}.w`), b: p.t1(`${name}.b`) }, stride));
    return tf.tidy(() => {
      let h = conv(x, 'conv1', 1);
      h = conv(h, 'conv2', 2);
      h = conv(h, 'conv3', 1);
      h = conv(h, 'conv4', 2);
      const flat = tf.reshape(h, [x.shape[0], -1]) as tf.Tensor2D;
      const features = tf.relu(dense(flat, { w: p.t2('features.w'), b: p.t1('features.b') }));
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
