// The DDPM U-Net forward pass (Ho et al. 2020, Appendix B), predicting ε from (x_t, t[, y]).
// Structure: see architecture.ts. Conditioning: sinusoidal t embedding -> dense -> SiLU -> dense
// (width 4 * base), plus, for class-conditional models, a learned embedding of the label, where
// label numClasses is the learned null class used for classifier-free guidance
// (Ho & Salimans 2022: the same network is trained with labels randomly replaced by null).
import * as tf from '@tensorflow/tfjs';
import { timestepEmbedding } from '../diffusion/embedding';
import { buildArchitecture, type Architecture, type ResUnit, type Unit } from './architecture';
import {
  condChannels,
  conditionsOnAugLevel,
  learnsSigma,
  patchSize,
  type UNetConfig,
} from './config';
import { conv2d, dense, silu, type ConvWeights, type DenseWeights } from './layers/basic';
import { attentionBlock } from './layers/attention';
import { groupNorm, type NormWeights } from './layers/groupNorm';
import { resBlock, type ResBlockWeights } from './layers/resBlock';
import { downsample, upsample } from './layers/resample';
import {
  countParams,
  createParams,
  disposeParams,
  ParamScope,
  type InitOptions,
  type Params,
} from './params';

export interface ApplyOptions {
  /** Enables dropout. */
  training: boolean;
  /** Makes dropout masks reproducible (each block derives its own seed from it and its name). */
  dropoutSeed?: number;
  /** Inputs of a conditioned model (config.condChannels, config.augLevelCond); see CondInputs. */
  cond?: CondInputs;
}

/**
 * What a super-resolution stage of a cascade is conditioned on (Ho et al. 2021, Sec. 2 and 4.2):
 * `image` [B, H, W, condChannels], the (augmented) low-resolution image upsampled to H x W,
 * concatenated to x_t; `augLevel` [B], the noise-augmentation level s as a timestep index, for a
 * model with augLevelCond.
 */
export interface CondInputs {
  image: tf.Tensor4D;
  augLevel?: tf.Tensor1D;
}

const convW = (s: ParamScope): ConvWeights => ({ w: s.t4('w'), b: s.t1('b') });
const denseW = (s: ParamScope): DenseWeights => ({ w: s.t2('w'), b: s.t1('b') });
const normW = (s: ParamScope): NormWeights => ({ gamma: s.t1('gamma'), beta: s.t1('beta') });

function resWeights(s: ParamScope): ResBlockWeights {
  return {
    norm1: normW(s.child('norm1')),
    conv1: convW(s.child('conv1')),
    tembProj: denseW(s.child('temb_proj')),
    norm2: normW(s.child('norm2')),
    conv2: convW(s.child('conv2')),
    skip: s.has('skip.w') ? convW(s.child('skip')) : undefined,
  };
}

function checkCond(config: UNetConfig, batch: number, cond: CondInputs | undefined): void {
  const cc = condChannels(config);
  const s = config.imageSize;
  if (cc === 0) {
    if (cond) throw new Error('unet: conditioning inputs given to a model without condChannels');
    return;
  }
  const shape = cond?.image.shape ?? [];
  if (!cond || shape[0] !== batch || shape[1] !== s || shape[2] !== s || shape[3] !== cc) {
    throw new Error(
      `unet: this model needs a conditioning image [${batch}, ${s}, ${s}, ${cc}], got ` +
        (cond ? `[${shape.join(', ')}]` : 'none'),
    );
  }
  if (conditionsOnAugLevel(config)) {
    const a = cond.augLevel;
    if (!a || a.rank !== 1 || a.shape[0] !== batch) {
      throw new Error(`unet: this model needs an augmentation level [${batch}]`);
    }
  }
}

function checkInputs(
  config: UNetConfig,
  x: tf.Tensor4D,
  t: tf.Tensor1D,
  y: tf.Tensor1D | null,
): void {
  const { imageSize: s, inChannels: c, numClasses } = config;
  const [b, h, w, ch] = x.shape;
  if (x.rank !== 4 || h !== s || w !== s || ch !== c) {
    throw new Error(`unet: x must be [B, ${s}, ${s}, ${c}], got [${x.shape.join(', ')}]`);
  }
  if (t.rank !== 1 || t.shape[0] !== b) {
    throw new Error(`unet: t must be [${b}], got [${t.shape.join(', ')}]`);
  }
  if (y) {
    if (numClasses === 0) throw new Error('unet: labels given to an unconditional model');
    if (y.rank !== 1 || y.shape[0] !== b) {
      throw new Error(`unet: y must be [${b}], got [${y.shape.join(', ')}]`);
    }
  }
}

/**
 * Space-to-depth: [B, H, W, C] -> [B, H/p, W/p, p*p*C], each p x p patch folded into channels
 * (row-major within the patch). Reshapes and one rank-5 transpose, so its gradient is free.
 */
export function patchify(x: tf.Tensor4D, p: number): tf.Tensor4D {
  if (p === 1) return x;
  const [b, h, w, c] = x.shape;
  const t = tf.transpose(tf.reshape(x, [b * (h / p), p, w / p, p * c]), [0, 2, 1, 3]);
  return tf.reshape(t, [b, h / p, w / p, p * p * c]);
}

/** Depth-to-space, the inverse of patchify: [B, h, w, p*p*C] -> [B, h*p, w*p, C]. */
export function unpatchify(x: tf.Tensor4D, p: number): tf.Tensor4D {
  if (p === 1) return x;
  const [b, h, w, pc] = x.shape;
  const c = pc / (p * p);
  const t = tf.transpose(tf.reshape(x, [b * h, w, p, p * c]), [0, 2, 1, 3]);
  return tf.reshape(t, [b, h * p, w * p, c]);
}

/**
 * The network's whole output for a batch: x [B, H, W, C] (float32), t [B] timesteps (float32 or
 * int32), y [B] int32 labels in 0..numClasses (numClasses = null class) or null (= all null; must
 * be null for unconditional models). Returns a new [B, H, W, C] tensor (ε̂), or [B, H, W, 2C]
 * (ε̂ then the variance output v, see splitOutput) for a model that learns Σ_θ; all intermediates
 * are disposed.
 */
export function unetApplyOutput(
  params: Params,
  config: UNetConfig,
  x: tf.Tensor4D,
  t: tf.Tensor1D,
  y: tf.Tensor1D | null,
  opts: ApplyOptions,
  arch: Architecture = buildArchitecture(config),
): tf.Tensor4D {
  checkInputs(config, x, t, y);
  checkCond(config, x.shape[0], opts.cond);
  const root = new ParamScope(params);
  const { groups, dropout, numClasses, baseChannels } = config;
  const batch = x.shape[0];
  return tf.tidy(() => {
    let temb = dense(timestepEmbedding(t, baseChannels), denseW(root.child('temb.dense0')));
    temb = dense(silu(temb), denseW(root.child('temb.dense1')));
    if (numClasses > 0) {
      const labels = y ? tf.cast(y, 'int32') : tf.fill([batch], numClasses, 'int32');
      temb = tf.add(temb, tf.gather(root.t2('class_emb.table'), labels));
    }
    const augLevel = opts.cond?.augLevel;
    if (conditionsOnAugLevel(config) && augLevel) {
      // CDM Sec. 4.2: the level s of the noise augmentation is an input, embedded like t.
      const a = dense(
        timestepEmbedding(augLevel, baseChannels),
        denseW(root.child('aug_emb.dense0')),
      );
      temb = tf.add(temb, dense(silu(a), denseW(root.child('aug_emb.dense1'))));
    }

    const runRes = (h: tf.Tensor4D, u: ResUnit): tf.Tensor4D => {
      const dropoutSeed =
        opts.dropoutSeed === undefined ? undefined : `${opts.dropoutSeed}/${u.name}`;
      const ropts = { groups, dropout, training: opts.training, dropoutSeed };
      const out = resBlock(h, temb, resWeights(root.child(u.name)), ropts);
      if (!u.attn) return out;
      const a = root.child(u.attn);
      const aw = {
        norm: normW(a.child('norm')),
        qkv: denseW(a.child('qkv')),
        proj: denseW(a.child('proj')),
      };
      return attentionBlock(out, aw, groups);
    };
    const runResample = (h: tf.Tensor4D, u: Exclude<Unit, ResUnit>): tf.Tensor4D => {
      const w = convW(root.child(`${u.name}.conv`));
      return u.kind === 'down' ? downsample(h, w) : upsample(h, w);
    };

    const patch = patchSize(config);
    // A conditioned stage sees [x_t, upsampled low-res image] on channels (CDM Sec. 2).
    const input = opts.cond ? tf.concat([x, opts.cond.image], 3) : x;
    let h = conv2d(patchify(input, patch), convW(root.child('conv_in')));
    const skips: tf.Tensor4D[] = [h];
    for (const u of arch.down) {
      h = u.kind === 'res' ? runRes(h, u) : runResample(h, u);
      skips.push(h);
    }
    for (const u of arch.mid) h = runRes(h, u);
    for (const u of arch.up) {
      if (u.kind === 'res') {
        const skip = skips.pop();
        if (!skip) throw new Error('internal: skip stack underflow');
        h = runRes(tf.concat([h, skip], 3), u);
      } else {
        h = runResample(h, u);
      }
    }
    h = silu(groupNorm(h, normW(root.child('norm_out')), groups));
    const out = conv2d(h, convW(root.child('conv_out')));
    if (!learnsSigma(config)) return unpatchify(out, patch);
    // ε̂'s patch channels first, then v's: an ε-only model's conv_out is the first half, so
    // widening it with zeros (withLearnedSigma) keeps its ε̂ exactly.
    const [eps, v] = tf.split(out, 2, 3) as [tf.Tensor4D, tf.Tensor4D];
    return tf.concat([unpatchify(eps, patch), unpatchify(v, patch)], 3);
  });
}

/** ε̂ alone, [B, H, W, C], whether or not the model also learns Σ_θ (see unetApplyOutput). */
export function unetApply(
  params: Params,
  config: UNetConfig,
  x: tf.Tensor4D,
  t: tf.Tensor1D,
  y: tf.Tensor1D | null,
  opts: ApplyOptions,
  arch: Architecture = buildArchitecture(config),
): tf.Tensor4D {
  if (!learnsSigma(config)) return unetApplyOutput(params, config, x, t, y, opts, arch);
  return tf.tidy(
    () => splitOutput(config, unetApplyOutput(params, config, x, t, y, opts, arch)).eps,
  );
}

export interface SplitOutput {
  /** ε̂, [B, H, W, C]. */
  eps: tf.Tensor4D;
  /** The raw variance output v (Nichol & Dhariwal 2021, eq. 15, before (v + 1)/2), or null. */
  v: tf.Tensor4D | null;
}

/** Splits a network output into ε̂ (the first C channels) and v (the last C, when learned). */
export function splitOutput(config: UNetConfig, out: tf.Tensor4D): SplitOutput {
  if (!learnsSigma(config)) return { eps: out, v: null };
  const [eps, v] = tf.split(out, 2, 3) as [tf.Tensor4D, tf.Tensor4D];
  return { eps, v };
}

/**
 * A model that learns Σ_θ from one that predicts ε only: the same parameters, with conv_out widened
 * by zero weights and biases for v (Nichol & Dhariwal 2021, eq. 15), so its ε̂ is unchanged and it
 * starts at v = 0, Σ_θ = √(β_t·β̃_t). Fine-tuning such a model is the cheap way to a learned Σ_θ.
 * The new model owns new variables; the given one is left as it was.
 */
export function withLearnedSigma(unet: UNet): UNet {
  if (learnsSigma(unet.config)) throw new Error('the model already learns Σ_θ');
  const config: UNetConfig = { ...unet.config, learnSigma: true };
  const params: Params = new Map();
  for (const [name, v] of unet.params) {
    const widen = name === 'conv_out.w' || name === 'conv_out.b';
    params.set(
      name,
      tf.tidy(() =>
        tf.variable(widen ? tf.concat([v, tf.zerosLike(v)], v.rank - 1) : tf.clone(v), true),
      ),
    );
  }
  return new UNet(config, params);
}

/** Config + parameters + forward pass in one object. */
export class UNet {
  readonly arch: Architecture;

  constructor(
    readonly config: UNetConfig,
    readonly params: Params,
  ) {
    this.arch = buildArchitecture(config);
  }

  static create(config: UNetConfig, init: InitOptions = {}): UNet {
    return new UNet(config, createParams(config, init));
  }

  apply(
    x: tf.Tensor4D,
    t: tf.Tensor1D,
    y: tf.Tensor1D | null = null,
    opts: ApplyOptions = { training: false },
  ): tf.Tensor4D {
    return unetApply(this.params, this.config, x, t, y, opts, this.arch);
  }

  /** The whole output: ε̂, or ε̂ and v concatenated on channels (see unetApplyOutput). */
  applyOutput(
    x: tf.Tensor4D,
    t: tf.Tensor1D,
    y: tf.Tensor1D | null = null,
    opts: ApplyOptions = { training: false },
  ): tf.Tensor4D {
    return unetApplyOutput(this.params, this.config, x, t, y, opts, this.arch);
  }

  get numParams(): number {
    return countParams(this.params);
  }

  /** Variables in their stable order (e.g. for an optimiser's var list). */
  variables(): tf.Variable[] {
    return [...this.params.values()];
  }

  dispose(): void {
    disposeParams(this.params);
  }
}
