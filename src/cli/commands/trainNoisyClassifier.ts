// `train-noisy-classifier`: trains the noise-aware classifier p_φ(y | x_t, t) for classifier
// guidance (src/model/noisyClassifier.ts) on x_t ~ q(x_t | x_0) with t uniform (guided-diffusion's
// classifier_train.py), in Node (wasm by default), then measures its test accuracy per timestep
// bucket and writes DIR/model.json + weights.bin (format "diffusion-playground-noisy-classifier").
import path from 'node:path';
import { loadDataset } from '../../data/dataset';
import { fsSource } from '../../data/fsSource';
import { makeSchedule, type ScheduleKind } from '../../diffusion/schedule';
import {
  MNIST_NOISY_CLASSIFIER,
  NoisyClassifier,
  noisyClassifierFlops,
  type NoisyClassifierConfig,
} from '../../model/noisyClassifier';
import type { DatasetName } from '../../model/presets';
import { accuracyByTimestep } from '../../engine/noisyClassifier/accuracyByT';
import { encodeNoisyClassifier } from '../../engine/noisyClassifier/checkpoint';
import { saveNoisyClassifierDir } from '../../engine/noisyClassifier/fsStore';
import {
  DEFAULT_NOISY_CLASSIFIER_TRAINING,
  NoisyClassifierTrainer,
  type NoisyClassifierTrainingOptions,
} from '../../engine/noisyClassifier/trainer';
import {
  LOOP_FLAG_OPTIONS,
  loopFlagsUsage,
  parseLoopFlags,
  refuseOverwrite,
  runTrainingLoop,
  startBackend,
} from '../classifierTraining';
import type { BucketAccuracy } from '../../engine/noisyClassifier/types';
import {
  optionalInteger,
  parseChoice,
  parseIntegerFlag,
  parseIntegerList,
  parseOptions,
} from '../args';
import { DEFAULT_DATA_DIR, REPO_ROOT } from '../paths';
import { commandLine, gitCommit, machine } from '../provenance';
import { EXIT_OK, UsageError, type CliIo } from '../types';

const D = DEFAULT_NOISY_CLASSIFIER_TRAINING;
const C = MNIST_NOISY_CLASSIFIER;
export const DEFAULT_NOISY_CLASSIFIER_DIR = path.join(
  REPO_ROOT,
  'models',
  'mnist-noisy-classifier',
);

export const TRAIN_NOISY_CLASSIFIER_USAGE = `Usage: cli train-noisy-classifier [--dataset mnist|cifar10] [--out DIR] [options]

Trains a noise-aware classifier p(y | x_t, t) for classifier guidance (Dhariwal & Nichol 2021):
a small CNN (conv 3x3 c1, c1/2, c2, c2/2 -> dense K) with the sinusoidal timestep embedding
added after the first conv of each stage, on noised images x_t = sqrt(abar_t) x_0 +
sqrt(1 - abar_t) eps with t uniform in 0..T-1. Then measures the test accuracy per t-bucket.
Prints "step N/M epoch E loss ... acc ..." every --log-every steps. Writes model.json and
weights.bin into DIR.

Options:
  --dataset mnist|cifar10  data set (default mnist)
  --out DIR              output directory (default <repo>/models/mnist-noisy-classifier)
  --force                overwrite a classifier already in DIR
  --schedule linear|cosine  the noise schedule of the models it will guide (default linear)
  --T N                  diffusion steps of that schedule (default 1000)
${loopFlagsUsage({ epochs: `${D.epochs}`, batch: `${D.batchSize}`, lr: `${D.learningRate}`, warmup: `${D.warmupSteps}` })}  --seed S               seed of init, batch order, timesteps, noise (default ${D.seed})
  --channels C1,C2       conv widths (default ${C.channels.join(',')})
  --time-dim E           timestep embedding width, even (default ${C.timeEmbedDim})
  --limit N              train on the first N training images only (default all)
  --test-limit N         test images per t-bucket (default 2000)
  --buckets N            t-buckets of the accuracy report (default 10)
  --backend wasm|cpu     tfjs backend (default wasm)
  --log-every K          progress line every K steps (default 100)
  --data DIR             prepared data root (default <repo>/public/data)
  -h, --help             show this help
`;

const OPTIONS = {
  dataset: { type: 'string' },
  out: { type: 'string' },
  force: { type: 'boolean' },
  schedule: { type: 'string' },
  T: { type: 'string' },
  ...LOOP_FLAG_OPTIONS,
  channels: { type: 'string' },
  'time-dim': { type: 'string' },
  limit: { type: 'string' },
  'test-limit': { type: 'string' },
  buckets: { type: 'string' },
  backend: { type: 'string' },
  'log-every': { type: 'string' },
  data: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface TrainNoisyClassifierArgs {
  dataset: DatasetName;
  out: string;
  force: boolean;
  schedule: { kind: ScheduleKind; T: number };
  training: NoisyClassifierTrainingOptions;
  config: NoisyClassifierConfig;
  limit: number | null;
  testLimit: number;
  buckets: number;
  backend: 'wasm' | 'cpu';
  logEvery: number;
  data: string;
}

/** --channels C1,C2. */
function parseChannels(raw: string): [number, number] {
  const [c1, c2] = parseIntegerList('--channels', raw, { min: 2, max: 2 }, 1024);
  return [c1, c2];
}

/** Validates the command line. Throws UsageError. */
export function parseTrainNoisyClassifierArgs(argv: string[]): TrainNoisyClassifierArgs | 'help' {
  const v = parseOptions(argv, OPTIONS);
  if (v.help) return 'help';
  const dataset = parseChoice('--dataset', v.dataset ?? 'mnist', ['mnist', 'cifar10'] as const);
  const timeEmbedDim = optionalInteger('--time-dim', v['time-dim'], C.timeEmbedDim, 4, 1024);
  if (timeEmbedDim % 2 !== 0) {
    throw new UsageError(`--time-dim must be even (got ${timeEmbedDim})`);
  }
  const T = optionalInteger('--T', v.T, 1000, 2, 100_000);
  const buckets = optionalInteger('--buckets', v.buckets, 10, 1, 1000);
  if (buckets > T) throw new UsageError(`--buckets (${buckets}) must not exceed --T (${T})`);
  const shape =
    dataset === 'mnist' ? { imageSize: 28, inChannels: 1 } : { imageSize: 32, inChannels: 3 };
  return {
    dataset,
    out:
      v.out ??
      (dataset === 'mnist'
        ? DEFAULT_NOISY_CLASSIFIER_DIR
        : path.join(REPO_ROOT, 'models', 'cifar10-noisy-classifier')),
    force: v.force ?? false,
    schedule: {
      kind: parseChoice('--schedule', v.schedule ?? 'linear', ['linear', 'cosine'] as const),
      T,
    },
    training: parseLoopFlags(v, D),
    config: {
      ...C,
      ...shape,
      channels: v.channels === undefined ? C.channels : parseChannels(v.channels),
      timeEmbedDim,
    },
    limit: v.limit === undefined ? null : parseIntegerFlag('--limit', v.limit, 1, 1e7),
    testLimit: optionalInteger('--test-limit', v['test-limit'], 2000, 1, 1e7),
    buckets,
    backend: parseChoice('--backend', v.backend ?? 'wasm', ['wasm', 'cpu'] as const),
    logEvery: optionalInteger('--log-every', v['log-every'], 100, 1),
    data: v.data ?? DEFAULT_DATA_DIR,
  };
}

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;

/** The accuracy-per-t table, as printed by the CLI (t counted from 0, as in the app). */
export function accuracyTable(rows: readonly BucketAccuracy[], numClasses: number): string {
  const lines = rows.map(
    (r) =>
      `  t ${String(r.tFrom).padStart(5)}–${String(r.tTo - 1).padEnd(5)}  ${pct(r.accuracy).padStart(6)}  (${r.count} images)`,
  );
  return `test accuracy per timestep (chance ${pct(1 / numClasses)}):\n${lines.join('\n')}\n`;
}

async function trainNoisyClassifier(args: TrainNoisyClassifierArgs, argv: string[], io: CliIo) {
  refuseOverwrite(args.out, args.force, 'a classifier');
  const command = commandLine('train-noisy-classifier', argv);
  const git = gitCommit();
  const choice = await startBackend(args.backend, io);
  const source = fsSource(args.data);
  const train = await loadDataset(source, args.dataset, 'train', {
    limit: args.limit ?? undefined,
  });
  const test = await loadDataset(source, args.dataset, 'test', { limit: args.testLimit });
  const scheduleInfo = { ...args.schedule, scaled: false };
  const schedule = makeSchedule(scheduleInfo);
  const model = NoisyClassifier.create(args.config, { seed: args.training.seed });
  const trainer = new NoisyClassifierTrainer(model, train, schedule, args.training);
  try {
    io.stderr(
      `train-noisy-classifier: ${model.numParams} params, ` +
        `${(noisyClassifierFlops(args.config) / 1e6).toFixed(1)} MFLOP/image, ${train.count} train ` +
        `images, ${args.training.epochs} epochs of ${trainer.stepsPerEpoch} steps, batch ` +
        `${args.training.batchSize}, ${args.schedule.kind} schedule T=${args.schedule.T}, ` +
        `seed ${args.training.seed}, ${choice.backend}\n`,
    );
    const wallTimeSeconds = await runTrainingLoop(trainer, args.logEvery, io);
    const accuracyByT = await accuracyByTimestep(model, test, schedule, {
      buckets: args.buckets,
      limit: args.testLimit,
    });
    const encoded = await encodeNoisyClassifier(model, {
      noisyClassifierConfig: args.config,
      schedule: scheduleInfo,
      dataset: args.dataset,
      classNames: [...train.classNames],
      training: {
        epochs: args.training.epochs,
        steps: trainer.stepCount,
        batch: args.training.batchSize,
        learningRate: args.training.learningRate,
        warmupSteps: args.training.warmupSteps,
        seed: args.training.seed,
        trainImages: train.count,
        wallTimeSeconds,
        command,
        gitCommit: git,
        machine: machine(choice.backend),
      },
      accuracyByT,
    });
    await saveNoisyClassifierDir(args.out, encoded);
    io.stdout(accuracyTable(accuracyByT, args.config.numClasses));
    io.stdout(
      `saved the noisy classifier to ${args.out} (training ${wallTimeSeconds.toFixed(1)} s, ` +
        `${(encoded.weights.byteLength / 1e3).toFixed(0)} kB of weights)\n`,
    );
  } finally {
    trainer.dispose();
    model.dispose();
  }
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const args = parseTrainNoisyClassifierArgs(argv);
  if (args === 'help') {
    io.stdout(TRAIN_NOISY_CLASSIFIER_USAGE);
    return EXIT_OK;
  }
  await trainNoisyClassifier(args, argv, io);
  return EXIT_OK;
}
