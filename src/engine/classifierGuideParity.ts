// Backend parity of classifier guidance's gradient g = ∇ₓ log p_φ(y | x_t, t) (Dhariwal & Nichol
// 2021, Alg. 1 and 2), the one piece of guided sampling that differentiates through a second
// network: computed on the backend under test and on 'cpu' (the reference) from identical
// weights, images, t and classes, then compared, with p_φ(· | x_t, t) too. Tiny on purpose (the
// shipped classifier's layers at 14×14 with a few channels, so 14 → 7 → 4 takes the odd-size path
// of 28 → 14 → 7; two images) so it runs in seconds on WebGPU in Chromium's SwiftShader; the e2e
// parity test calls it in the app's worker. No node modules.
//
// Like runUNetParity it switches the global backend, and restores the original before resolving.
import * as tf from '@tensorflow/tfjs';
import {
  MNIST_NOISY_CLASSIFIER,
  NoisyClassifier,
  type NoisyClassifierConfig,
} from '../model/noisyClassifier';
import type { Params } from '../model/params';
import { mulberry32 } from '../random/seeded';
import { compareArrays, defaultTolerance, useBackend } from './parity';
import { classifierLogProbGradient } from './sampling/classifierGuide';

export interface ClassifierGradientParity {
  backend: string;
  /** max |g − g_cpu| / max |g_cpu|. */
  gradRelErr: number;
  /** max |p − p_cpu| (probabilities, already on a [0, 1] scale). */
  probsMaxAbsDiff: number;
  /** The GPU tolerances of parity.ts: the time embedding's sin/cos has the same WGSL error. */
  tolerance: { grad: number; probs: number };
  pass: boolean;
  leakedTensors: number;
  ms: number;
}

/** The default: every layer of MNIST_NOISY_CLASSIFIER, at a size SwiftShader runs quickly. */
export const PARITY_CLASSIFIER: NoisyClassifierConfig = {
  ...MNIST_NOISY_CLASSIFIER,
  imageSize: 14,
  channels: [4, 8],
  timeEmbedDim: 8,
};

type HostWeights = Map<string, { shape: number[]; values: Float32Array }>;

/** g and p on the active backend from host weights; frees everything it made. */
async function gradientOn(
  config: NoisyClassifierConfig,
  weights: HostWeights,
  x: Float32Array,
  modelT: number,
  classes: Int32Array,
): Promise<{ grad: Float32Array; probs: Float32Array }> {
  const params: Params = new Map();
  try {
    for (const [name, w] of weights) {
      const init = tf.tensor(w.values, w.shape, 'float32');
      params.set(name, tf.variable(init, false));
      init.dispose();
    }
    const classifier = new NoisyClassifier(config, params);
    const s = config.imageSize;
    const xt = tf.tensor4d(x, [classes.length, s, s, config.inChannels]);
    const { grad, probs } = classifierLogProbGradient(classifier, xt, modelT, classes);
    xt.dispose();
    try {
      return { grad: await grad.data<'float32'>(), probs: await probs.data<'float32'>() };
    } finally {
      tf.dispose([grad, probs]);
    }
  } finally {
    for (const v of params.values()) v.dispose();
  }
}

export async function runClassifierGradientParity(opts: {
  backend: string;
  seed?: number;
  modelT?: number;
  config?: NoisyClassifierConfig;
}): Promise<ClassifierGradientParity> {
  const start = performance.now();
  const config = opts.config ?? PARITY_CLASSIFIER;
  const seed = opts.seed ?? 1;
  const modelT = opts.modelT ?? 300;
  const defaults = defaultTolerance(opts.backend);
  const tolerance = { grad: defaults.grad, probs: defaults.output };
  const rand = mulberry32(seed ^ 0xc1a55);
  const classes = Int32Array.from([3, 7]);
  const n = classes.length * config.imageSize ** 2 * config.inChannels;
  // A noisy image at t = 300 is mostly data plus noise: uniform in [−1.5, 1.5) is in its range.
  const x = Float32Array.from({ length: n }, () => 3 * rand() - 1.5);
  const original = tf.getBackend();
  const tensorsBefore = tf.memory().numTensors;
  try {
    // Fail fast (before the cpu reference) when the backend under test cannot start.
    await useBackend(opts.backend);
    await useBackend('cpu');
    const made = NoisyClassifier.create(config, { seed });
    const weights: HostWeights = new Map();
    try {
      for (const [name, v] of made.params) {
        weights.set(name, { shape: [...v.shape], values: await v.data<'float32'>() });
      }
    } finally {
      made.dispose();
    }
    const want = await gradientOn(config, weights, x, modelT, classes);
    await useBackend(opts.backend);
    const got = await gradientOn(config, weights, x, modelT, classes);
    const grad = compareArrays(got.grad, want.grad);
    const probs = compareArrays(got.probs, want.probs);
    return {
      backend: opts.backend,
      gradRelErr: grad.relErr,
      probsMaxAbsDiff: probs.maxAbsDiff,
      tolerance,
      // false for NaN
      pass: grad.relErr <= tolerance.grad && probs.maxAbsDiff <= tolerance.probs,
      leakedTensors: tf.memory().numTensors - tensorsBefore,
      ms: performance.now() - start,
    };
  } finally {
    if (tf.getBackend() !== original) await tf.setBackend(original);
  }
}
