// Backend parity of the full U-Net: the ε prediction and the gradient of a loss with respect to
// every parameter, computed on the backend under test and on 'cpu' (the reference, with our cpu
// kernel fixes) from identical weights and inputs, then compared. Runs wherever tfjs runs (Node
// tests, the Web Worker; the e2e test calls it there to prove WebGPU parity in Chromium), so it
// must not import node modules.
//
// Do not run it while training or sampling is in progress in the same tfjs instance: it switches
// the global backend (and restores the original one before it resolves).
import * as tf from '@tensorflow/tfjs';
import type { UNetConfig } from '../model/config';
import { getPreset, type DatasetName, type PresetName } from '../model/presets';
import { UNet } from '../model/unet';
import type { Params } from '../model/params';
import { registerCpuKernelFixes } from './backends/cpuKernels';
import { mulberry32 } from '../random/seeded';

/**
 * Relative tolerances: max |a − b| / max |b| per tensor (ε, and each parameter's gradient).
 *
 * wasm vs cpu (both float32 on the CPU, differing only in summation order and libm) measured
 * 1.6e-6 / 1.7e-6 on ε and 1.2e-5 / 9.5e-6 on the gradients (tiny mnist / cifar10; the small
 * mnist U-Net: 2.7e-6 and 9.6e-6), so 1e-4 leaves a 9-60x margin on CPU backends.
 *
 * GPU backends get 1e-3 for ε and 1e-2 for the gradients. WGSL allows sin/cos an absolute error
 * of 2^-11 (exp and division a few ulp), and the time embedding feeds sin(t·1) with t up to 999
 * into every block. Shifting t by 2^-11 (the permitted error on the highest frequency) changes ε
 * by 7e-5 and the gradients by up to 7.6e-4 relative (biases added just before a GroupNorm,
 * whose gradients mostly cancel: conv1.b, temb_proj.b of up.0.res.1), measured in
 * parity.test.ts. The bounds sit ~13x above that, while a wrong kernel (a missing term, a
 * transposed weight, a wrong gradient) gives errors of order 1.
 */
export interface ParityTolerance {
  output: number;
  grad: number;
}

export const CPU_TOLERANCE: Readonly<ParityTolerance> = { output: 1e-4, grad: 1e-4 };
export const GPU_TOLERANCE: Readonly<ParityTolerance> = { output: 1e-3, grad: 1e-2 };

/** The default tolerance for a backend: tight for CPU backends (wasm, cpu), looser for GPUs. */
export function defaultTolerance(backend: string): ParityTolerance {
  return { ...(backend === 'wasm' || backend === 'cpu' ? CPU_TOLERANCE : GPU_TOLERANCE) };
}

export interface ParityOptions {
  /** The backend under test, e.g. 'webgpu' or 'wasm' (it must already be registered). */
  backend: string;
  /** Model size. Default 'tiny'. */
  preset?: PresetName;
  /** Which data sets' configs to check. Default both: ['mnist', 'cifar10']. */
  datasets?: readonly DatasetName[];
  /** Batch size. Default 2 (one real label and one null label, see parityInputs). */
  batch?: number;
  /** Seeds the weights and the inputs. Default 1. */
  seed?: number;
  /** Overrides of defaultTolerance(backend). */
  tolerance?: Partial<ParityTolerance>;
}

export interface ParamParity {
  name: string;
  size: number;
  maxAbsDiff: number;
  /** Largest |gradient| on cpu. */
  scale: number;
  relErr: number;
}

export interface ParityCase {
  dataset: DatasetName;
  preset: PresetName;
  numParams: number;
  outputMaxAbsDiff: number;
  outputRelErr: number;
  /** The loss on cpu and on the backend under test. */
  loss: { cpu: number; backend: number };
  /** Worst relErr over the parameters' gradients, and which parameter. */
  gradRelErr: number;
  worstParam: string;
  perParam: ParamParity[];
  pass: boolean;
}

export interface ParityReport {
  backend: string;
  preset: PresetName;
  batch: number;
  /** The worst values over all cases. */
  outputMaxAbsDiff: number;
  outputRelErr: number;
  gradRelErr: number;
  /** '<dataset>/<param>' of the worst gradient. */
  worstParam: string;
  cases: ParityCase[];
  tolerance: ParityTolerance;
  pass: boolean;
  /** tf.memory().numTensors after minus before (0 unless something else ran meanwhile). */
  leakedTensors: number;
  ms: number;
}

/** What one backend computed: ε, the loss, and the gradient of every parameter (in order). */
export interface ParityValues {
  output: Float32Array;
  loss: number;
  grads: { name: string; values: Float32Array }[];
}

export interface ParityInputs {
  x: Float32Array;
  /** Timesteps in [0, 1000), as float32 (the model casts them). */
  t: Float32Array;
  /** Labels; the last one is the null class (numClasses). null for unconditional configs. */
  y: Int32Array | null;
  /** The regression target of the loss mean((ε_θ − target)²). */
  target: Float32Array;
  shape: [number, number, number, number];
}

/**
 * Deterministic inputs from a JS PRNG (not tf.random), so every backend sees the same bits:
 * x and target uniform in [-1, 1), t spread over [0, 1000), labels in 0..numClasses-1 except the
 * last, which is the null class (so the class table's null row gets a gradient too).
 */
export function parityInputs(config: UNetConfig, batch: number, seed: number): ParityInputs {
  if (!Number.isInteger(batch) || batch < 1) {
    throw new RangeError(`batch must be an integer >= 1 (got ${batch})`);
  }
  const rand = mulberry32(seed ^ 0x5eed);
  const { imageSize: s, inChannels: c, numClasses } = config;
  const shape: [number, number, number, number] = [batch, s, s, c];
  const n = batch * s * s * c;
  const x = Float32Array.from({ length: n }, () => rand() * 2 - 1);
  const target = Float32Array.from({ length: n }, () => rand() * 2 - 1);
  const t = Float32Array.from({ length: batch }, () => Math.floor(rand() * 1000));
  let y: Int32Array | null = null;
  if (numClasses > 0) {
    y = Int32Array.from({ length: batch }, () => Math.floor(rand() * numClasses));
    if (batch > 1) y[batch - 1] = numClasses;
  }
  return { x, t, y, target, shape };
}

/**
 * Runs the model on the active backend from the given weights: ε for the inputs (eval mode, no
 * dropout) and the gradients of mean((ε − target)²) with respect to every parameter, read back
 * with one data() call. Creates and frees its own variables; leaves no tensors behind.
 */
export async function evaluateUNet(
  config: UNetConfig,
  weights: ReadonlyMap<string, { shape: number[]; values: Float32Array }>,
  inputs: ParityInputs,
): Promise<ParityValues> {
  const params: Params = new Map();
  let packed: tf.Tensor1D | null = null;
  try {
    for (const [name, w] of weights) {
      const init = tf.tensor(w.values, w.shape, 'float32');
      params.set(name, tf.variable(init, true));
      init.dispose();
    }
    const unet = new UNet(config, params);
    const vars = unet.variables();
    const names = [...params.keys()];
    packed = tf.tidy(() => {
      const x = tf.tensor4d(inputs.x, inputs.shape);
      const t = tf.tensor1d(inputs.t, 'float32');
      const y = inputs.y ? tf.tensor1d(inputs.y, 'int32') : null;
      const target = tf.tensor4d(inputs.target, inputs.shape);
      const kept: { out?: tf.Tensor4D } = {};
      const { value, grads } = tf.variableGrads(() => {
        const out = unet.apply(x, t, y, { training: false });
        kept.out = tf.keep(out);
        return tf.mean(tf.squaredDifference(out, target)) as tf.Scalar;
      }, vars);
      const out = kept.out;
      if (!out) throw new Error('internal: no output');
      // One buffer: [loss, ε..., grad_0..., grad_1..., ...]; a missing gradient counts as zero.
      const parts = [
        tf.reshape(value, [1]),
        tf.reshape(out, [-1]),
        ...vars.map((v) => tf.reshape(grads[v.name] ?? tf.zerosLike(v), [-1])),
      ];
      const all = tf.concat(parts) as tf.Tensor1D;
      out.dispose();
      return all;
    });
    const data = await packed.data<'float32'>();
    const outSize = inputs.x.length;
    let offset = 1 + outSize;
    const grads = names.map((name, i) => {
      const size = vars[i].size;
      const values = data.slice(offset, offset + size);
      offset += size;
      return { name, values };
    });
    return { output: data.slice(1, 1 + outSize), loss: data[0], grads };
  } finally {
    packed?.dispose();
    for (const v of params.values()) v.dispose();
  }
}

/** max |a − b|, max |b| and their ratio (the absolute difference when b is all zeros). */
export function compareArrays(
  a: Float32Array,
  b: Float32Array,
): { maxAbsDiff: number; scale: number; relErr: number } {
  if (a.length !== b.length) return { maxAbsDiff: Infinity, scale: 0, relErr: Infinity };
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    // NaN must not be swallowed by Math.max's comparison order: propagate it explicitly.
    if (Number.isNaN(d)) return { maxAbsDiff: NaN, scale: NaN, relErr: NaN };
    if (d > diff) diff = d;
    const m = Math.abs(b[i]);
    if (m > scale) scale = m;
  }
  return { maxAbsDiff: diff, scale, relErr: scale === 0 ? diff : diff / scale };
}

const within = (err: number, tol: number) => err <= tol; // false for NaN

/** Compares one case's values (got: the backend under test; want: cpu). */
export function compareParity(
  got: ParityValues,
  want: ParityValues,
  tolerance: ParityTolerance,
  meta: { dataset: DatasetName; preset: PresetName; numParams: number },
): ParityCase {
  const out = compareArrays(got.output, want.output);
  if (got.grads.length !== want.grads.length) {
    throw new Error(`gradient count differs: ${got.grads.length} vs ${want.grads.length}`);
  }
  const perParam = want.grads.map((w, i): ParamParity => {
    const g = got.grads[i];
    if (g.name !== w.name) throw new Error(`parameter order differs: ${g.name} vs ${w.name}`);
    const c = compareArrays(g.values, w.values);
    return { name: w.name, size: w.values.length, ...c };
  });
  let worst: ParamParity | null = null;
  for (const p of perParam) {
    if (worst === null || !(p.relErr <= worst.relErr)) worst = p; // NaN wins
  }
  const gradRelErr = worst?.relErr ?? 0;
  return {
    ...meta,
    outputMaxAbsDiff: out.maxAbsDiff,
    outputRelErr: out.relErr,
    loss: { cpu: want.loss, backend: got.loss },
    gradRelErr,
    worstParam: worst?.name ?? '',
    perParam,
    pass: within(out.relErr, tolerance.output) && within(gradRelErr, tolerance.grad),
  };
}

/** Combines cases into a report; the top-level numbers are the worst over the cases. */
export function summariseParity(
  backend: string,
  preset: PresetName,
  batch: number,
  cases: ParityCase[],
  tolerance: ParityTolerance,
  extra: { leakedTensors: number; ms: number },
): ParityReport {
  const worstOf = (f: (c: ParityCase) => number) =>
    cases.reduce((m, c) => (Number.isNaN(m) || !(f(c) <= m) ? f(c) : m), 0);
  let worstGrad: ParityCase | null = null;
  for (const c of cases) {
    if (worstGrad === null || !(c.gradRelErr <= worstGrad.gradRelErr)) worstGrad = c;
  }
  return {
    backend,
    preset,
    batch,
    outputMaxAbsDiff: worstOf((c) => c.outputMaxAbsDiff),
    outputRelErr: worstOf((c) => c.outputRelErr),
    gradRelErr: worstOf((c) => c.gradRelErr),
    worstParam: worstGrad ? `${worstGrad.dataset}/${worstGrad.worstParam}` : '',
    cases,
    tolerance,
    pass: cases.length > 0 && cases.every((c) => c.pass),
    ...extra,
  };
}

export async function useBackend(name: string): Promise<void> {
  if (name === 'cpu') registerCpuKernelFixes();
  let ok: boolean;
  try {
    ok = await tf.setBackend(name);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new Error(`backend '${name}' could not be set: ${why}`, { cause: e });
  }
  if (!ok) throw new Error(`backend '${name}' could not be initialised`);
  await tf.ready();
}

/** The initial weights of `config` (seeded, zeroInit: false) as host arrays. */
async function initialWeights(
  config: UNetConfig,
  seed: number,
): Promise<Map<string, { shape: number[]; values: Float32Array }>> {
  const unet = UNet.create(config, { seed, zeroInit: false });
  try {
    const out = new Map<string, { shape: number[]; values: Float32Array }>();
    for (const [name, v] of unet.params) {
      out.set(name, { shape: [...v.shape], values: await v.data<'float32'>() });
    }
    return out;
  } finally {
    unet.dispose();
  }
}

/**
 * Checks the backend against cpu on the full U-Net of each data set's preset: ε and every
 * parameter's gradient of mean((ε − target)²), from identical weights (zeroInit: false, so no
 * gradient is trivially zero) and inputs. Leaves the original backend active and no tensors.
 */
export async function runUNetParity(opts: ParityOptions): Promise<ParityReport> {
  const start = performance.now();
  const preset = opts.preset ?? 'tiny';
  const datasets = opts.datasets ?? ['mnist', 'cifar10'];
  const batch = opts.batch ?? 2;
  const seed = opts.seed ?? 1;
  const defaults = defaultTolerance(opts.backend);
  const tolerance: ParityTolerance = {
    output: opts.tolerance?.output ?? defaults.output,
    grad: opts.tolerance?.grad ?? defaults.grad,
  };
  const original = tf.getBackend();
  const tensorsBefore = tf.memory().numTensors;
  const cases: ParityCase[] = [];
  try {
    // Fail fast (before the slow cpu reference) when the backend under test cannot start.
    await useBackend(opts.backend);
    for (const dataset of datasets) {
      const config = getPreset(dataset, preset);
      const inputs = parityInputs(config, batch, seed);
      await useBackend('cpu');
      const weights = await initialWeights(config, seed);
      const want = await evaluateUNet(config, weights, inputs);
      await useBackend(opts.backend);
      const got = await evaluateUNet(config, weights, inputs);
      let numParams = 0;
      for (const w of weights.values()) numParams += w.values.length;
      cases.push(compareParity(got, want, tolerance, { dataset, preset, numParams }));
    }
  } finally {
    if (tf.getBackend() !== original) await tf.setBackend(original);
  }
  return summariseParity(opts.backend, preset, batch, cases, tolerance, {
    leakedTensors: tf.memory().numTensors - tensorsBefore,
    ms: performance.now() - start,
  });
}
