// `bench`: the cost of a real training step and of a forward pass, per backend and preset, as one
// JSON object per line on stdout (nothing else goes to stdout; `npm run -s bench` keeps npm's
// own banner out too). Fields:
//   backend, preset ("mnist/small"), batch,
//   trainStepMs    one Trainer step (L_simple, gradients, global-norm clipping, flat Adam, EMA)
//                  until its loss is on the host: the trainer reports after every step
//                  (reportEvery 1: one readback of the loss, the gradient norm and a finiteness
//                  probe). The median of --steps timed steps (medians resist a shared machine)
//   forwardMs      one unet.apply (training: false) at the training batch until its output is
//                  read back; the median of --steps passes
//   flopsPerImage  analytic forward FLOPs per image, a multiply-add counted as 2 (model/flops.ts)
//   trainGflops    3 x flopsPerImage x batch / trainStepMs, in GFLOP/s (backward ~ 2 forwards)
//   tensorsBefore  tf.memory().numTensors before the model is created
//   tensorsAfter   the same after the model, trainer and every intermediate are disposed
// Each measurement comes after --warmup untimed steps (and forward passes). The data are random
// bytes of the data set's shape: timing does not depend on the pixel values.
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
import { nodeWasmDir } from '../../engine/backends/nodeWasm';
import { provideNodeWebGpu } from '../../engine/backends/nodeWebgpu';
import { initBackend } from '../../engine/backends/select';
import { Trainer } from '../../engine/training/trainer';
import { parseIntegerFlag, parseOptions } from '../args';
import { EXIT_OK, UsageError, type CliIo } from '../types';

export const BENCH_BACKENDS = ['wasm', 'cpu', 'webgpu'] as const;
export type BenchBackend = (typeof BENCH_BACKENDS)[number];

export const BENCH_USAGE = `Usage: cli bench [options]      (npm run -s bench -- [options])

Times a real training step (loss, gradients, clipping, Adam, EMA) and a forward pass of a DDPM
U-Net preset, after a warm-up, and prints one JSON object per backend and preset:
  {"backend","preset","batch","trainStepMs","forwardMs","flopsPerImage","trainGflops",
   "tensorsBefore","tensorsAfter"}
trainStepMs: median over --steps steps, each timed until its loss is read back to the host.
forwardMs: median over --steps passes of unet.apply, each timed until its output is read back.
trainGflops = 3 x flopsPerImage x batch / trainStepMs (GFLOP/s), a multiply-add counting as 2.

Options:
  --backend LIST         wasm, cpu, webgpu: repeat the flag or give a comma list (default wasm).
                         webgpu uses Node's WebGPU bindings (npm package webgpu, not installed
                         by default; the error says how). A backend that cannot start here is
                         reported on stderr and the others still run.
  --preset LIST          dataset/preset pairs, comma list or repeated (default mnist/small);
                         datasets ${DATASETS.join(', ')}; presets ${PRESET_NAMES.join(', ')}
  --batch N              images per step (default 64)
  --steps N              timed steps and forward passes (default 5)
  --warmup N             untimed steps and forward passes first (default 2)
  -h, --help             show this help
`;

const OPTIONS = {
  backend: { type: 'string', multiple: true },
  preset: { type: 'string', multiple: true },
  batch: { type: 'string' },
  steps: { type: 'string' },
  warmup: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface BenchPreset {
  dataset: DatasetName;
  name: PresetName;
}

export interface BenchArgs {
  backends: BenchBackend[];
  presets: BenchPreset[];
  batch: number;
  steps: number;
  warmup: number;
}

export interface BenchRow {
  backend: BenchBackend;
  preset: string;
  batch: number;
  trainStepMs: number;
  forwardMs: number;
  flopsPerImage: number;
  trainGflops: number;
  tensorsBefore: number;
  tensorsAfter: number;
}

/** Comma lists and repeated flags alike, without empty items or duplicates, in order. */
function listValues(flag: string, raw: string[] | undefined, fallback: string): string[] {
  const items = (raw ?? [fallback]).flatMap((r) => r.split(',')).map((s) => s.trim());
  if (items.some((s) => s === '')) throw new UsageError(`${flag} has an empty item`);
  return [...new Set(items)];
}

function parseBackend(raw: string): BenchBackend {
  const b = BENCH_BACKENDS.find((name) => name === raw);
  if (!b) {
    throw new UsageError(
      `--backend must be one of ${BENCH_BACKENDS.join(', ')} (got ${JSON.stringify(raw)})`,
    );
  }
  return b;
}

function parsePreset(raw: string): BenchPreset {
  const [d, n, ...rest] = raw.split('/');
  const dataset = DATASETS.find((x) => x === d);
  const name = PRESET_NAMES.find((x) => x === n);
  if (rest.length > 0 || !dataset || !name) {
    throw new UsageError(
      `--preset must be dataset/preset with dataset in ${DATASETS.join('|')} and preset in ` +
        `${PRESET_NAMES.join('|')} (got ${JSON.stringify(raw)})`,
    );
  }
  return { dataset, name };
}

/** Parses bench's options; 'help' for -h/--help. Throws UsageError on bad input. */
export function parseBenchArgs(argv: string[]): BenchArgs | 'help' {
  const v = parseOptions(argv, OPTIONS);
  if (v.help) return 'help';
  return {
    backends: listValues('--backend', v.backend, 'wasm').map(parseBackend),
    presets: listValues('--preset', v.preset, 'mnist/small').map(parsePreset),
    batch: parseIntegerFlag('--batch', v.batch ?? '64', 1, 4096),
    steps: parseIntegerFlag('--steps', v.steps ?? '5', 1, 10_000),
    warmup: parseIntegerFlag('--warmup', v.warmup ?? '2', 0, 10_000),
  };
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

/** Median ms of `steps` forward passes (each read back), after `warmup` untimed ones. */
async function timeForward(unet: UNet, batch: number, steps: number, warmup: number) {
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
  try {
    const times: number[] = [];
    for (let i = 0; i < warmup + steps; i++) {
      const start = performance.now();
      const out = unet.apply(x, t, y, { training: false });
      try {
        await out.data();
      } finally {
        out.dispose();
      }
      if (i >= warmup) times.push(performance.now() - start);
    }
    return median(times);
  } finally {
    tf.dispose(y ? [x, t, y] : [x, t]);
  }
}

/** Median ms of a Trainer step (reportEvery 1: each ends with its readback), after warm-up. */
async function timeTrainStep(trainer: Trainer, steps: number, warmup: number): Promise<number> {
  for (let i = 0; i < warmup; i++) await trainer.step();
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const start = performance.now();
    if ((await trainer.step()) === null) throw new Error('internal: the step was not reported');
    times.push(performance.now() - start);
  }
  return median(times);
}

/** Measures one preset on the current backend. */
export async function benchPreset(
  backend: BenchBackend,
  { dataset, name }: BenchPreset,
  { batch, steps, warmup }: Pick<BenchArgs, 'batch' | 'steps' | 'warmup'>,
): Promise<BenchRow> {
  const config = getPreset(dataset, name);
  const flops = flopsPerImage(config);
  const tensorsBefore = tf.memory().numTensors;
  const unet = UNet.create(config, { seed: 0 });
  let trainer: Trainer | null = null;
  let forwardMs: number;
  let trainStepMs: number;
  try {
    forwardMs = await timeForward(unet, batch, steps, warmup);
    const ds = randomDataset(dataset, config.imageSize, config.inChannels, batch);
    const schedule = makeSchedule({ kind: 'linear', T: 1000 });
    trainer = new Trainer(unet, ds, schedule, {
      batchSize: batch,
      learningRate: 2e-4,
      reportEvery: 1,
      seed: 0,
    });
    trainStepMs = await timeTrainStep(trainer, steps, warmup);
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
  };
}

/** Starts the backend; resolves to null when it runs, else to why it cannot start here. */
async function useBackend(backend: BenchBackend): Promise<string | null> {
  if (backend === 'webgpu') {
    const missing = await provideNodeWebGpu();
    if (missing !== null) return missing;
  }
  const choice = await initBackend(backend, { wasmPaths: nodeWasmDir() });
  if (choice.backend !== backend) return choice.fallbackReason ?? 'unknown';
  return null;
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const args = parseBenchArgs(argv);
  if (args === 'help') {
    io.stdout(BENCH_USAGE);
    return EXIT_OK;
  }
  const unavailable: string[] = [];
  for (const backend of args.backends) {
    // Not a usage error: the backend exists but cannot start here. The others still run.
    const why = await useBackend(backend);
    if (why !== null) {
      io.stderr(`bench: the ${backend} backend is unavailable: ${why}\n`);
      unavailable.push(backend);
      continue;
    }
    for (const preset of args.presets) {
      const row = await benchPreset(backend, preset, args);
      io.stdout(`${JSON.stringify(row)}\n`);
    }
  }
  if (unavailable.length === args.backends.length) {
    throw new Error(`no backend could start (${unavailable.join(', ')})`);
  }
  return EXIT_OK;
}
