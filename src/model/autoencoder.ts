// The first stage of latent diffusion (Rombach et al. 2022, "High-Resolution Image Synthesis with
// Latent Diffusion Models", Sec. 3.1 and Appendix G): a small convolutional autoencoder with a
// KL-regularised latent. The encoder E gives the mean μ and the log-variance log σ² of a diagonal
// Gaussian q(z | x) per latent element; z = μ + σ·ε (the reparameterisation trick, Kingma &
// Welling 2014) feeds the decoder D. With a small KL weight β the latent stays close to a
// deterministic code (reconstructions are sharp) while its scale stays bounded.
//
//   x [B, s, s, C] in [-1, 1]                         (MNIST 28x28x1, CIFAR-10 32x32x3)
//   E: conv3x3 c1, SiLU -> conv3x3/2 c2, SiLU -> conv3x3 c2, SiLU -> conv3x3/2 c2, SiLU
//      -> conv3x3 2·zc = [μ, log σ²]                   (s -> s/2 -> s/4: 28 -> 7, 32 -> 8)
//   D: conv3x3 c2, SiLU -> conv3x3 c2, SiLU -> up x2, conv3x3 c2, SiLU
//      -> up x2, conv3x3 c1, SiLU -> conv3x3 C          (s/4 -> s)
//
// Downsampling factor f = 4, as the LDM-f4 models. Functional tf ops on tf.variables like the
// U-Net and the judge; Glorot-uniform weights and zero biases seeded per parameter name.
import * as tf from '@tensorflow/tfjs';
import { conv2d, silu } from './layers/basic';
import { upsample } from './layers/resample';
import {
  convSpecs,
  countParams,
  createParamsFromSpecs,
  disposeParams,
  ParamScope,
  type ParamSpec,
  type Params,
} from './params';

export interface AutoencoderConfig {
  /** Height = width of the images; must be divisible by 4 (the downsampling factor). */
  imageSize: number;
  inChannels: number;
  /** Encoder/decoder widths [c1 at full resolution, c2 at 1/2 and 1/4]. */
  channels: [number, number];
  /** Channels of the latent z (LDM: 3 or 4). */
  latentChannels: number;
}

/** Spatial downsampling factor of the encoder (two stride-2 convolutions). */
export const DOWNSAMPLING_FACTOR = 4;

/** MNIST 28x28x1 -> 7x7x4. */
export const MNIST_AUTOENCODER: AutoencoderConfig = {
  imageSize: 28,
  inChannels: 1,
  channels: [16, 32],
  latentChannels: 4,
};

/** CIFAR-10 32x32x3 -> 8x8x4. */
export const CIFAR10_AUTOENCODER: AutoencoderConfig = {
  imageSize: 32,
  inChannels: 3,
  channels: [32, 64],
  latentChannels: 4,
};

/**
 * LDM clamps the log-variance to [-30, 20] before exponentiating it
 * (ldm/modules/distributions/distributions.py, DiagonalGaussianDistribution).
 */
export const LOGVAR_RANGE: readonly [number, number] = [-30, 20];

export function latentSize(c: AutoencoderConfig): number {
  return c.imageSize / DOWNSAMPLING_FACTOR;
}

/** [h, w, c] of one latent. */
export function latentShape(c: AutoencoderConfig): [number, number, number] {
  const s = latentSize(c);
  return [s, s, c.latentChannels];
}

const isPositiveInt = (v: unknown): boolean =>
  typeof v === 'number' && Number.isInteger(v) && v >= 1;

export function validateAutoencoderConfig(c: AutoencoderConfig): AutoencoderConfig {
  const errors: string[] = [];
  for (const [name, v] of [
    ['imageSize', c.imageSize],
    ['inChannels', c.inChannels],
    ['latentChannels', c.latentChannels],
  ] as const) {
    if (!isPositiveInt(v)) errors.push(`${name} must be a positive integer, got ${String(v)}`);
  }
  if (!Array.isArray(c.channels) || c.channels.length !== 2 || !c.channels.every(isPositiveInt)) {
    errors.push(`channels must be two positive integers, got ${JSON.stringify(c.channels)}`);
  }
  if (isPositiveInt(c.imageSize) && c.imageSize % DOWNSAMPLING_FACTOR !== 0) {
    errors.push(`imageSize ${c.imageSize} must be divisible by ${DOWNSAMPLING_FACTOR}`);
  }
  if (errors.length > 0) {
    throw new Error(`Invalid autoencoder config:\n  - ${errors.join('\n  - ')}`);
  }
  return c;
}

/** Every parameter, in forward order (encoder, then decoder). */
export function autoencoderParamSpecs(c: AutoencoderConfig): ParamSpec[] {
  validateAutoencoderConfig(c);
  const [c1, c2] = c.channels;
  const zc = c.latentChannels;
  return [
    ...convSpecs('enc.conv1', 3, c.inChannels, c1),
    ...convSpecs('enc.down1', 3, c1, c2),
    ...convSpecs('enc.conv2', 3, c2, c2),
    ...convSpecs('enc.down2', 3, c2, c2),
    ...convSpecs('enc.moments', 3, c2, 2 * zc),
    ...convSpecs('dec.conv_in', 3, zc, c2),
    ...convSpecs('dec.conv1', 3, c2, c2),
    ...convSpecs('dec.up1', 3, c2, c2),
    ...convSpecs('dec.up2', 3, c2, c1),
    ...convSpecs('dec.conv_out', 3, c1, c.inChannels),
  ];
}

export interface AutoencoderFlops {
  encoder: number;
  decoder: number;
}

/** Forward FLOPs per image (multiply-add = 2), convolutions only, as src/model/flops.ts counts. */
export function autoencoderFlops(c: AutoencoderConfig): AutoencoderFlops {
  const [c1, c2] = c.channels;
  const s0 = c.imageSize;
  const s1 = s0 / 2;
  const s2 = s0 / 4;
  const conv = (s: number, cin: number, cout: number) => 2 * s * s * 9 * cin * cout;
  return {
    encoder:
      conv(s0, c.inChannels, c1) +
      conv(s1, c1, c2) +
      conv(s1, c2, c2) +
      conv(s2, c2, c2) +
      conv(s2, c2, 2 * c.latentChannels),
    decoder:
      conv(s2, c.latentChannels, c2) +
      conv(s2, c2, c2) +
      conv(s1, c2, c2) +
      conv(s0, c2, c1) +
      conv(s0, c1, c.inChannels),
  };
}

/** The diagonal Gaussian q(z | x) = N(μ, diag(σ²)) that the encoder outputs. */
export interface LatentPosterior {
  /** μ [B, s/4, s/4, zc] */
  mean: tf.Tensor4D;
  /** log σ², clamped to LOGVAR_RANGE, same shape. */
  logVar: tf.Tensor4D;
}

/**
 * KL(N(μ, σ²) ‖ N(0, 1)) summed over the latent elements of each image:
 * ½ Σ (μ² + σ² − 1 − log σ²) (Kingma & Welling 2014, Appendix B). Returns [B].
 */
export function klToStandardNormal(q: LatentPosterior): tf.Tensor1D {
  return tf.tidy(() => {
    const terms = tf.sub(tf.add(tf.square(q.mean), tf.exp(q.logVar)), tf.add(q.logVar, 1));
    return tf.mul(tf.sum(terms, [1, 2, 3]), 0.5) as tf.Tensor1D;
  });
}

/** z = μ + σ·ε with ε ~ N(0, I) (the reparameterisation trick); gradients flow to μ and log σ². */
export function samplePosterior(q: LatentPosterior, eps: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.add(q.mean, tf.mul(tf.exp(tf.mul(q.logVar, 0.5)), eps)));
}

export class Autoencoder {
  constructor(
    readonly config: AutoencoderConfig,
    readonly params: Params,
  ) {
    validateAutoencoderConfig(config);
  }

  static create(config: AutoencoderConfig, opts: { seed?: number } = {}): Autoencoder {
    return new Autoencoder(config, createParamsFromSpecs(autoencoderParamSpecs(config), opts));
  }

  get numParams(): number {
    return countParams(this.params);
  }

  private conv(p: ParamScope, name: string) {
    return { w: p.t4(`${name}.w`), b: p.t1(`${name}.b`) };
  }

  /** q(z | x): the mean and clamped log-variance of the latent of each image in [-1, 1]. */
  encode(x: tf.Tensor4D): LatentPosterior {
    const { imageSize: s, inChannels: c, latentChannels: zc } = this.config;
    if (x.rank !== 4 || x.shape[1] !== s || x.shape[2] !== s || x.shape[3] !== c) {
      throw new Error(`autoencoder: x must be [B, ${s}, ${s}, ${c}], got [${x.shape.join(', ')}]`);
    }
    const p = new ParamScope(this.params);
    return tf.tidy(() => {
      let h = silu(conv2d(x, this.conv(p, 'enc.conv1')));
      h = silu(conv2d(h, this.conv(p, 'enc.down1'), 2));
      h = silu(conv2d(h, this.conv(p, 'enc.conv2')));
      h = silu(conv2d(h, this.conv(p, 'enc.down2'), 2));
      const moments = conv2d(h, this.conv(p, 'enc.moments'));
      const [mean, rawLogVar] = tf.split(moments, [zc, zc], 3) as [tf.Tensor4D, tf.Tensor4D];
      const logVar = tf.clipByValue(rawLogVar, LOGVAR_RANGE[0], LOGVAR_RANGE[1]);
      return { mean, logVar };
    });
  }

  /** x̂ = D(z): images in (about) [-1, 1] from latents [B, s/4, s/4, zc]. */
  decode(z: tf.Tensor4D): tf.Tensor4D {
    const [ls, , zc] = latentShape(this.config);
    if (z.rank !== 4 || z.shape[1] !== ls || z.shape[2] !== ls || z.shape[3] !== zc) {
      throw new Error(
        `autoencoder: z must be [B, ${ls}, ${ls}, ${zc}], got [${z.shape.join(', ')}]`,
      );
    }
    const p = new ParamScope(this.params);
    return tf.tidy(() => {
      let h = silu(conv2d(z, this.conv(p, 'dec.conv_in')));
      h = silu(conv2d(h, this.conv(p, 'dec.conv1')));
      h = silu(upsample(h, this.conv(p, 'dec.up1')));
      h = silu(upsample(h, this.conv(p, 'dec.up2')));
      return conv2d(h, this.conv(p, 'dec.conv_out'));
    });
  }

  dispose(): void {
    disposeParams(this.params);
  }
}

export interface AutoencoderLoss {
  /** The objective: reconstruction + β·KL, both per image, averaged over the batch. */
  loss: tf.Scalar;
  /** Σ over pixels of (x − x̂)², averaged over the batch. */
  reconstruction: tf.Scalar;
  /** Σ over latent elements of KL(q(z|x) ‖ N(0, I)), averaged over the batch. */
  kl: tf.Scalar;
}

/**
 * L = ‖x − D(z)‖² + β·KL(q(z|x) ‖ N(0, I)), z = μ + σ·ε, per image, averaged over the batch. LDM
 * (Appendix G, ldm/modules/losses/contperceptual.py) sums both terms over the image and the
 * latent per example and weights the KL by 1e-6; we use the squared error in place of their
 * L1 + LPIPS + patch-GAN, which is enough on 28x28 digits.
 */
export function autoencoderLoss(
  ae: Autoencoder,
  x: tf.Tensor4D,
  eps: tf.Tensor4D,
  beta: number,
): AutoencoderLoss {
  return tf.tidy(() => {
    const q = ae.encode(x);
    const xHat = ae.decode(samplePosterior(q, eps));
    const reconstruction = tf.mean(tf.sum(tf.squaredDifference(x, xHat), [1, 2, 3])) as tf.Scalar;
    const kl = tf.mean(klToStandardNormal(q)) as tf.Scalar;
    const loss = tf.add(reconstruction, tf.mul(kl, beta)) as tf.Scalar;
    return { loss, reconstruction, kl };
  });
}
