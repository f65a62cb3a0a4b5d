// One training step and one forward pass of a U-Net preset, timed on the current tfjs backend:
// the measurement behind `npm run bench` (src/cli/commands/bench.ts) and the worker's
// benchTrainStep (the browser bench, scripts/bench/browser.ts), so both print the same fields.
// See the CLI's header for what each field means.
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../../data/dataset';
import { makeSchedule } from '../../diffusion/schedule';
import { flopsPerImage } from '../../model/flops';
import {
  DATASETS,
  getPreset,
  PRESET_NAMES,
  type DatasetName,
  type PresetName,
} from '../../model/presets';
import { UNet } from '../../model/unet';
import { Trainer } from '../training/trainer';
import type { GradientPeers } from '../training/partGradient';
import { wasmThreadsInUse } from '../backends/wasmThreads';
import { simdKernels } from '../backends/simdKernels';
import type { BackendWasm } from '../backends/wasmCalls';
import { countDispatches, profileStep, type StepProfile } from './kernelProfile';

export interface BenchPreset {
  dataset: DatasetName;
  name: PresetName;
}

/** 'mnist/small' → { dataset, name }; null when either part is unknown. */
export function parseBenchPreset(raw: string): BenchPreset | null {
  const [d, n, ...rest] = raw.split('/');
  const dataset = DATASETS.find((x) => x === d);
  const name = PRESET_NAMES.find((x) => x === n);
  return rest.length > 0 || !dataset || !name ? null : { dataset, name };
}

export interface BenchSettings {
  batch: number;
  steps: number;
  warmup: number;
  /** Also profile one forward pass and one step per kernel (kernelProfile.ts). */
  profile?: boolean;
}

export interface BenchRow {
  backend: string;
  preset: string;
  batch: number;
  trainStepMs: number;
  forwardMs: number;
  flopsPerImage: number;
  trainGflops: number;
  tensorsBefore: number;
  tensorsAfter: number;
  /** wasm only: the threads XNNPACK ran with. */
  threads?: number;
  /** Workers each training step's batch was shared among (partGradient.ts); absent: one. */
  trainingWorkers?: number;
  /** wasm only: whether the SIMD kernels (simdKernels.ts: GroupNorm, batched matMul) ran. */
  simdKernels?: boolean;
  /** webgpu only: compute dispatches per training step and per forward pass. */
  dispatchesPerStep?: number;
  dispatchesPerForward?: number;
  /** With settings.profile: the per-kernel profile. */
  profile?: StepProfile;
}

/** Random images of the data set's shape, labels 0..9: a stand-in with the real sizes. */
function randomDataset(dataset: DatasetName, size: number, channels: number, count: number) {
  const images = new Uint8Array(count * size * size * channels);
  let s = 12345;
  for (let i = 0; i < images.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    images[i] = s >>> 24;
  }
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
  const ds: Dataset = {
    name: dataset,
    split: 'train',
    height: size,
    width: size,
    channels,
    classNames: Array.from({ length: 10 }, (_, i) => String(i)),
    count,
    images,
    labels,
  };
  return ds;
}

/** 3 x forward FLOPs per image x batch per step, in GFLOP/s. */
export function trainGflops(flops: number, batch: number, stepMs: number): number {
  return (3 * flops * batch) / (stepMs * 1e6);
}

const round = (x: number, digits: number) => Number(x.toFixed(digits));

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Model inputs at the bench's batch: random images, spread timesteps, labels 0..9. */
function forwardInputs(unet: UNet, batch: number) {
  const { imageSize: s, inChannels: c, numClasses } = unet.config;
  const x = tf.randomNormal([batch, s, s, c], 0, 1, 'float32', 1) as tf.Tensor4D;
  const t = tf.tensor1d(
    Array.from({ length: batch }, (_, i) => (i * 389) % 1000),
    'int32',
  );
  const y =
    numClasses > 0
      ? tf.tensor1d(
          Array.from({ length: batch }, (_, i) => i % numClasses),
          'int32',
        )
      : null;
  return { x, t, y, dispose: () => tf.dispose(y ? [x, t, y] : [x, t]) };
}

/** One forward pass (training: false) until its output is read back, in ms. */
async function timeForward(unet: UNet, inputs: ReturnType<typeof forwardInputs>) {
  const start = performance.now();
  const out = unet.apply(inputs.x, inputs.t, inputs.y, { training: false });
  try {
    await out.data();
  } finally {
    out.dispose();
  }
  return performance.now() - start;
}

/** One Trainer step (reportEvery 1: it ends with its readback), in ms. */
async function timeTrainStep(trainer: Trainer): Promise<number> {
  const start = performance.now();
  if ((await trainer.step()) === null) throw new Error('internal: the step was not reported');
  return performance.now() - start;
}

/**
 * Medians of `steps` forward passes and `steps` training steps after `warmup` of each,
 * interleaved (pass, step, pass, step, ...): their ratio is the bench's "step in forward
 * passes", and on a shared machine a slow minute then slows both alike instead of one.
 * Dispatches (webgpu) count the timed passes only.
 */
async function timeInterleaved(
  unet: UNet,
  trainer: Trainer,
  batch: number,
  steps: number,
  warmup: number,
) {
  const inputs = forwardInputs(unet, batch);
  try {
    const forward: number[] = [];
    const step: number[] = [];
    // webgpu: compute dispatches, counted over the warm-up and timed passes alike (the same
    // work each time); undefined elsewhere.
    let forwardDispatches: number | undefined;
    let stepDispatches: number | undefined;
    for (let i = 0; i < warmup + steps; i++) {
      // The first pass after a step re-packs the changed weights (XNNPACK caches packed weights
      // per weight tensor: +10-30% on wasm): untimed, so forwardMs stays a pass on fixed weights,
      // as in sampling.
      if (i > 0) await timeForward(unet, inputs);
      const f = await countDispatches(() => timeForward(unet, inputs));
      const s = await countDispatches(() => timeTrainStep(trainer));
      if (f.dispatches !== undefined) forwardDispatches = (forwardDispatches ?? 0) + f.dispatches;
      if (s.dispatches !== undefined) stepDispatches = (stepDispatches ?? 0) + s.dispatches;
      if (i >= warmup) {
        forward.push(f.result);
        step.push(s.result);
      }
    }
    const perPass = (total: number | undefined) =>
      total === undefined ? undefined : Math.round(total / (warmup + steps));
    return {
      forwardMs: median(forward),
      trainStepMs: median(step),
      forwardDispatches: perPass(forwardDispatches),
      stepDispatches: perPass(stepDispatches),
    };
  } finally {
    inputs.dispose();
  }
}

/** Measures one preset on the current backend. */
export async function benchPreset(
  backend: string,
  { dataset, name }: BenchPreset,
  { batch, steps, warmup, profile }: BenchSettings,
  /** Workers to share the training steps with, as a live run does (the browser's peers). */
  peers: GradientPeers | null = null,
): Promise<BenchRow> {
  const config = getPreset(dataset, name);
  const flops = flopsPerImage(config);
  const tensorsBefore = tf.memory().numTensors;
  const unet = UNet.create(config, { seed: 0 });
  let trainer: Trainer | null = null;
  let forwardMs: number;
  let trainStepMs: number;
  let forwardDispatches: number | undefined;
  let stepDispatches: number | undefined;
  let stepProfile: StepProfile | undefined;
  let trainingWorkers: number;
  try {
    const ds = randomDataset(dataset, config.imageSize, config.inChannels, batch);
    const schedule = makeSchedule({ kind: 'linear', T: 1000 });
    trainer = new Trainer(unet, ds, schedule, {
      batchSize: batch,
      learningRate: 2e-4,
      reportEvery: 1,
      seed: 0,
    });
    trainer.setGradientPeers(peers);
    ({ forwardMs, trainStepMs, forwardDispatches, stepDispatches } = await timeInterleaved(
      unet,
      trainer,
      batch,
      steps,
      warmup,
    ));
    // The last timed step's: a peer that failed earlier is out of it.
    trainingWorkers = trainer.lastSplit?.images.length ?? 1;
    if (profile) stepProfile = await profileStep(unet, trainer, batch);
  } finally {
    trainer?.dispose();
    unet.dispose();
  }
  return {
    backend,
    preset: `${dataset}/${name}`,
    batch,
    trainStepMs: round(trainStepMs, 2),
    forwardMs: round(forwardMs, 2),
    flopsPerImage: flops,
    trainGflops: round(trainGflops(flops, batch, trainStepMs), 2),
    tensorsBefore,
    tensorsAfter: tf.memory().numTensors,
    ...(trainingWorkers > 1 ? { trainingWorkers } : {}),
    ...(backend === 'wasm'
      ? {
          threads: wasmThreadsInUse(),
          simdKernels: simdKernels(tf.backend() as BackendWasm) !== null,
        }
      : {}),
    ...(stepDispatches !== undefined && forwardDispatches !== undefined
      ? {
          dispatchesPerStep: stepDispatches,
          dispatchesPerForward: forwardDispatches,
        }
      : {}),
    ...(stepProfile ? { profile: stepProfile } : {}),
  };
}
