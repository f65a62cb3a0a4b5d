// Parameters as named tf.Variables with a deterministic, seeded initialisation.
//
// Initialisation follows the DDPM code (Ho et al. 2020, `nn.default_init`): weights are drawn from
// variance_scaling(scale = 1, mode = fan_avg, distribution = uniform), i.e. Glorot-uniform, biases
// and GroupNorm betas are 0, gammas are 1. DDPM sets scale 0 (in practice 1e-10) for the second conv
// of every res block, the attention output projection and the output conv, so each residual
// branch starts as the identity and the network starts by predicting ε = 0; improved DDPM
// (Nichol & Dhariwal 2021, `zero_module`) uses exact zeros, and so do we (`zeroInit: true`).
// A consequence: at init the gradient reaches only conv_out (everything upstream is multiplied
// by its zero weights), and only after a few optimiser steps does it reach every variable.
// `zeroInit: false` draws those layers like the others; tests use it to check gradient flow.
// The class embedding table (not in DDPM) is drawn from N(0, 1) like torch's nn.Embedding.
//
// Every variable's random stream is seeded by (seed, name), so a parameter's initial value does
// not depend on which other parameters exist.
import * as tf from '@tensorflow/tfjs';
import { buildArchitecture, type ResUnit } from './architecture';
import {
  conditionsOnAugLevel,
  inputGridChannels,
  outputChannels,
  patchSize,
  type UNetConfig,
} from './config';
import { hashSeed } from '../random/seeded';

export type Params = Map<string, tf.Variable>;

export type ParamInit =
  | { kind: 'zeros' }
  | { kind: 'ones' }
  | { kind: 'normal'; std: number }
  /** Glorot-uniform with the given fans; `residualOut` marks the layers DDPM zero-inits. */
  | { kind: 'glorot'; fanIn: number; fanOut: number; residualOut?: boolean };

export interface ParamSpec {
  name: string;
  shape: number[];
  init: ParamInit;
}

/** A k x k convolution's weight (glorot) and bias (zeros). */
export function convSpecs(
  name: string,
  k: number,
  cin: number,
  cout: number,
  residualOut = false,
): ParamSpec[] {
  return [
    {
      name: `${name}.w`,
      shape: [k, k, cin, cout],
      init: { kind: 'glorot', fanIn: k * k * cin, fanOut: k * k * cout, residualOut },
    },
    { name: `${name}.b`, shape: [cout], init: { kind: 'zeros' } },
  ];
}

/** A dense layer's weight (glorot) and bias (zeros). */
export function denseSpecs(
  name: string,
  nin: number,
  nout: number,
  residualOut = false,
): ParamSpec[] {
  return [
    {
      name: `${name}.w`,
      shape: [nin, nout],
      init: { kind: 'glorot', fanIn: nin, fanOut: nout, residualOut },
    },
    { name: `${name}.b`, shape: [nout], init: { kind: 'zeros' } },
  ];
}

function norm(name: string, ch: number): ParamSpec[] {
  return [
    { name: `${name}.gamma`, shape: [ch], init: { kind: 'ones' } },
    { name: `${name}.beta`, shape: [ch], init: { kind: 'zeros' } },
  ];
}

function resBlockSpecs(u: ResUnit, tembDim: number): ParamSpec[] {
  const p = u.name;
  const specs = [
    ...norm(`${p}.norm1`, u.inCh),
    ...convSpecs(`${p}.conv1`, 3, u.inCh, u.outCh),
    ...denseSpecs(`${p}.temb_proj`, tembDim, u.outCh),
    ...norm(`${p}.norm2`, u.outCh),
    ...convSpecs(`${p}.conv2`, 3, u.outCh, u.outCh, true),
  ];
  // DDPM's `nin_shortcut`: a 1x1 conv when the channel count changes.
  if (u.inCh !== u.outCh) specs.push(...convSpecs(`${p}.skip`, 1, u.inCh, u.outCh));
  return specs;
}

function attentionSpecs(name: string, ch: number): ParamSpec[] {
  // q, k and v fused into one [C, 3C] matrix (one matMul), each third initialised with the fans
  // of its own C x C layer, as DDPM's separate NIN layers are.
  return [
    ...norm(`${name}.norm`, ch),
    { name: `${name}.qkv.w`, shape: [ch, 3 * ch], init: { kind: 'glorot', fanIn: ch, fanOut: ch } },
    { name: `${name}.qkv.b`, shape: [3 * ch], init: { kind: 'zeros' } },
    ...denseSpecs(`${name}.proj`, ch, ch, true),
  ];
}

/** Every parameter of the network, in a stable order (the order of the forward pass). */
export function paramSpecs(config: UNetConfig): ParamSpec[] {
  const arch = buildArchitecture(config);
  const { baseChannels: base, numClasses } = config;
  const inChannels = inputGridChannels(config);
  const T = arch.tembDim;
  const specs: ParamSpec[] = [
    ...denseSpecs('temb.dense0', base, T),
    ...denseSpecs('temb.dense1', T, T),
  ];
  if (numClasses > 0) {
    specs.push({
      name: 'class_emb.table',
      shape: [numClasses + 1, T],
      init: { kind: 'normal', std: 1 },
    });
  }
  if (conditionsOnAugLevel(config)) {
    // The augmentation level s gets its own embedding MLP, like t's (CDM Sec. 4.2).
    specs.push(...denseSpecs('aug_emb.dense0', base, T), ...denseSpecs('aug_emb.dense1', T, T));
  }
  specs.push(...convSpecs('conv_in', 3, inChannels, base));
  for (const u of [...arch.down, ...arch.mid, ...arch.up]) {
    if (u.kind === 'res') {
      specs.push(...resBlockSpecs(u, T));
      if (u.attn) specs.push(...attentionSpecs(u.attn, u.outCh));
    } else {
      specs.push(...convSpecs(`${u.name}.conv`, 3, u.ch, u.ch));
    }
  }
  // With a learned Σ_θ the output conv also gives v: 2C channels per pixel, patched like ε̂.
  const outGrid = outputChannels(config) * patchSize(config) ** 2;
  specs.push(
    ...norm('norm_out', arch.outCh),
    ...convSpecs('conv_out', 3, arch.outCh, outGrid, true),
  );
  return specs;
}

export interface InitOptions {
  /** Base seed; the same seed gives bit-identical parameters. Default 0. */
  seed?: number;
  /** Zero-init the residual-branch output layers and conv_out as DDPM does. Default true. */
  zeroInit?: boolean;
}

function initialValue(spec: ParamSpec, seed: number, zeroInit: boolean): tf.Tensor {
  const { shape, init } = spec;
  const key = `${seed}/${spec.name}`;
  switch (init.kind) {
    case 'zeros':
      return tf.zeros(shape);
    case 'ones':
      return tf.ones(shape);
    case 'normal':
      return tf.randomNormal(shape, 0, init.std, 'float32', hashSeed(key));
    case 'glorot': {
      if (init.residualOut && zeroInit) return tf.zeros(shape);
      const limit = Math.sqrt(3 / ((init.fanIn + init.fanOut) / 2));
      return tf.randomUniform(shape, -limit, limit, 'float32', key);
    }
  }
}

/** Creates every parameter as a trainable tf.Variable, keyed by its stable name. */
export function createParams(config: UNetConfig, opts: InitOptions = {}): Params {
  return createParamsFromSpecs(paramSpecs(config), opts);
}

/** Creates the given parameters (any network's specs) as trainable tf.Variables, in order. */
export function createParamsFromSpecs(specs: readonly ParamSpec[], opts: InitOptions = {}): Params {
  const seed = opts.seed ?? 0;
  const zeroInit = opts.zeroInit ?? true;
  const params: Params = new Map();
  for (const spec of specs) {
    const init = initialValue(spec, seed, zeroInit);
    // Unnamed on purpose: tfjs variable names are global, and two models may coexist.
    params.set(spec.name, tf.variable(init, true));
    init.dispose();
  }
  return params;
}

export function disposeParams(params: Params): void {
  for (const v of params.values()) v.dispose();
  params.clear();
}

/** Number of scalar parameters, of existing variables or (analytically) of a config. */
export function countParams(source: Params | UNetConfig): number {
  if (source instanceof Map) {
    let n = 0;
    for (const v of source.values()) n += v.size;
    return n;
  }
  return paramSpecs(source).reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
}

/** Typed, prefix-scoped access to a parameter map, with clear errors on a missing name or rank. */
export class ParamScope {
  constructor(
    private readonly params: Params,
    readonly prefix = '',
  ) {}

  child(name: string): ParamScope {
    return new ParamScope(this.params, this.prefix ? `${this.prefix}.${name}` : name);
  }

  private get(name: string, rank: number): tf.Tensor {
    const full = this.prefix ? `${this.prefix}.${name}` : name;
    const v = this.params.get(full);
    if (!v) throw new Error(`missing parameter "${full}"`);
    if (v.rank !== rank)
      throw new Error(`parameter "${full}" has rank ${v.rank}, expected ${rank}`);
    return v;
  }

  has(name: string): boolean {
    return this.params.has(this.prefix ? `${this.prefix}.${name}` : name);
  }

  t1(name: string): tf.Tensor1D {
    return this.get(name, 1) as tf.Tensor1D;
  }

  t2(name: string): tf.Tensor2D {
    return this.get(name, 2) as tf.Tensor2D;
  }

  t4(name: string): tf.Tensor4D {
    return this.get(name, 4) as tf.Tensor4D;
  }
}
