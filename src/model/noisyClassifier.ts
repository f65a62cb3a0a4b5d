// A noise-aware classifier p_φ(y | x_t, t) for classifier guidance (Dhariwal & Nichol 2021,
// Sec. 4: "we train a classifier p_φ(y | x_t, t) on noisy images x_t"; guided-diffusion's
// classifier is the U-Net encoder with the timestep embedding). Here the judge's trunk
// (stridedTrunk.ts, shared with classifier.ts) with SiLU, receiving the timestep the way the U-Net
// does (unet.ts): the sinusoidal embedding (embedding.ts) through two dense layers, added per
// channel after the first conv of each stage.
//
//   x_t [B, S, S, C] in roughly [-1, 1] (noised), t [B] timestep indices in [0, T)
//   temb = dense(SiLU(dense(emb(t))))                            [B, E]
//   conv3x3 c1 + dense(temb), SiLU -> conv3x3 c1 stride 2, SiLU   (S -> S/2)
//   conv3x3 c2 + dense(temb), SiLU -> conv3x3 c2 stride 2, SiLU   (S/2 -> S/4)
//   flatten -> dense K = logits [B, K]
import * as tf from '@tensorflow/tfjs';
import { timestepEmbedding } from '../diffusion/embedding';
import { dense, silu } from './layers/basic';
import { stridedTrunk, stridedTrunkFlops, stridedTrunkSpecs, trunkGridSize } from './stridedTrunk';
import {
  countParams,
  createParamsFromSpecs,
  denseSpecs,
  disposeParams,
  ParamScope,
  type ParamSpec,
  type Params,
} from './params';

export interface NoisyClassifierConfig {
  imageSize: number;
  inChannels: number;
  numClasses: number;
  /** Channels of the two conv stages [c1, c2]. */
  channels: [number, number];
  /** E, the width of the timestep embedding (>= 4, even). */
  timeEmbedDim: number;
}

/** The classifier shipped in models/mnist-noisy-classifier (~30k parameters, ~4 MFLOP/image). */
export const MNIST_NOISY_CLASSIFIER: NoisyClassifierConfig = {
  imageSize: 28,
  inChannels: 1,
  numClasses: 10,
  channels: [16, 32],
  timeEmbedDim: 32,
};

const isPositiveInt = (v: number): boolean => Number.isInteger(v) && v >= 1;

export function validateNoisyClassifierConfig(config: NoisyClassifierConfig): void {
  const { imageSize, inChannels, numClasses, channels, timeEmbedDim } = config;
  const ok =
    [imageSize, inChannels].every(isPositiveInt) &&
    Number.isInteger(numClasses) &&
    numClasses >= 2 &&
    Array.isArray(channels) &&
    channels.length === 2 &&
    channels.every(isPositiveInt) &&
    Number.isInteger(timeEmbedDim) &&
    timeEmbedDim >= 4 &&
    timeEmbedDim % 2 === 0;
  if (!ok) {
    throw new Error(
      `invalid noisy classifier config ${JSON.stringify(config)}: sizes must be positive integers, ` +
        'channels two of them, numClasses >= 2, timeEmbedDim even and >= 4',
    );
  }
}

/** Every parameter, in forward order. */
export function noisyClassifierParamSpecs(config: NoisyClassifierConfig): ParamSpec[] {
  validateNoisyClassifierConfig(config);
  const e = config.timeEmbedDim;
  const s = trunkGridSize(config.imageSize);
  return [
    ...denseSpecs('temb.dense0', e, e),
    ...denseSpecs('temb.dense1', e, e),
    ...stridedTrunkSpecs(config.inChannels, config.channels, e),
    ...denseSpecs('logits', s * s * config.channels[1], config.numClasses),
  ];
}

/** Forward FLOPs per image (multiply-add = 2), convolutions and dense layers only. */
export function noisyClassifierFlops(config: NoisyClassifierConfig): number {
  const { imageSize: s0, inChannels: c0, channels, timeEmbedDim: e, numClasses: k } = config;
  const [c1, c2] = channels;
  const s2 = trunkGridSize(s0);
  return (
    stridedTrunkFlops(s0, c0, channels) + 2 * (2 * e * e + e * c1 + e * c2) + 2 * s2 * s2 * c2 * k
  );
}

export class NoisyClassifier {
  constructor(
    readonly config: NoisyClassifierConfig,
    readonly params: Params,
  ) {
    validateNoisyClassifierConfig(config);
  }

  static create(config: NoisyClassifierConfig, opts: { seed?: number } = {}): NoisyClassifier {
    return new NoisyClassifier(
      config,
      createParamsFromSpecs(noisyClassifierParamSpecs(config), opts),
    );
  }

  get numParams(): number {
    return countParams(this.params);
  }

  /** Logits [B, K] of noised images x_t (NHWC) at timestep indices t [B] (int32 or float32). */
  logits(x: tf.Tensor4D, t: tf.Tensor1D): tf.Tensor2D {
    const { imageSize: s, inChannels: c, timeEmbedDim } = this.config;
    if (x.rank !== 4 || x.shape[1] !== s || x.shape[2] !== s || x.shape[3] !== c) {
      throw new Error(
        `noisy classifier: x must be [B, ${s}, ${s}, ${c}], got [${x.shape.join(', ')}]`,
      );
    }
    if (t.rank !== 1 || t.shape[0] !== x.shape[0]) {
      throw new Error(`noisy classifier: t must be [${x.shape[0]}], got [${t.shape.join(', ')}]`);
    }
    const p = new ParamScope(this.params);
    const dw = (name: string) => ({ w: p.t2(`${name}.w`), b: p.t1(`${name}.b`) });
    return tf.tidy(() => {
      let temb = dense(timestepEmbedding(t, timeEmbedDim), dw('temb.dense0'));
      temb = silu(dense(silu(temb), dw('temb.dense1')));
      const h = stridedTrunk(p, x, { activation: silu, temb });
      const flat = tf.reshape(h, [x.shape[0], -1]) as tf.Tensor2D;
      return dense(flat, dw('logits'));
    });
  }

  dispose(): void {
    disposeParams(this.params);
  }
}
