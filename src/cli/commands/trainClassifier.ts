// `train-classifier`: trains the MNIST judge (src/model/classifier.ts) in Node (wasm backend by
// default), measures it on the whole test split and writes into --out:
//   DIR/model.json + weights.bin  the classifier (format "diffusion-playground-classifier"), with
//                                 its provenance and measured test accuracy
//   DIR/reference-stats.json      mean and covariance of its features over the test split (the
//                                 Fréchet reference) and the real data's per-class diversity
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadDataset } from '../../data/dataset';
import { fsSource } from '../../data/fsSource';
import {
  Classifier,
  classifierFlops,
  MNIST_CLASSIFIER,
  type ClassifierConfig,
} from '../../model/classifier';
import { nodeWasmDir } from '../../engine/backends/nodeWasm';
import { initBackend } from '../../engine/backends/select';
import { MODEL_JSON_FILE } from '../../engine/checkpoint/types';
import { encodeClassifier } from '../../engine/judge/checkpoint';
import { saveJudgeDir } from '../../engine/judge/fsStore';
import { measureOnDataset } from '../../engine/judge/testSet';
import {
  ClassifierTrainer,
  DEFAULT_CLASSIFIER_TRAINING,
  type ClassifierStepStats,
  type ClassifierTrainingOptions,
} from '../../engine/judge/trainer';
import type { MeasuredAccuracy } from '../../engine/judge/types';
import { parseChoice, parseIntegerFlag, parseNumberFlag, parseOptions } from '../args';
import { DEFAULT_DATA_DIR, DEFAULT_JUDGE_DIR } from '../paths';
import { commandLine, gitCommit, machine } from '../provenance';
import { EXIT_OK, UsageError, type CliIo } from '../types';

const D = DEFAULT_CLASSIFIER_TRAINING;
const C = MNIST_CLASSIFIER;

export const TRAIN_CLASSIFIER_USAGE = `Usage: cli train-classifier [--out DIR] [options]

Trains the MNIST judge, a small CNN (conv 3x3 ${C.channels[0]}, ${C.channels[0]}/2, ${C.channels[1]}, ${C.channels[1]}/2 -> dense ${C.featureDim} -> 10),
with Adam, a warm-up + cosine learning rate and random shifts, then measures it on the whole
test split. Prints "step N/M epoch E loss ... acc ..." every --log-every steps. Writes into DIR:
  model.json, weights.bin  the classifier, its provenance and test accuracy
  reference-stats.json     feature mean/covariance over the test split (the Fréchet reference)
                           and per-class mean pairwise feature distances (the diversity baseline)

Options:
  --out DIR              output directory (default <repo>/models/mnist-classifier)
  --force                overwrite a judge already in DIR
  --epochs N             passes over the training images (default ${D.epochs})
  --batch B              images per step (default ${D.batchSize})
  --lr X                 peak Adam learning rate (default ${D.learningRate})
  --warmup N             linear warm-up steps before the cosine decay (default ${D.warmupSteps})
  --shift P              random translation of up to ±P pixels, 0 = none (default ${D.maxShift})
  --dropout P            dropout on the features while training (default ${D.dropout})
  --seed S               seed of init, batch order, shifts, dropout (default ${D.seed})
  --channels C1,C2       conv widths (default ${C.channels.join(',')})
  --features D           feature width, the Fréchet dimension (default ${C.featureDim})
  --limit N              train on the first N training images only (default all)
  --test-limit N         measure on the first N test images only (default all 10000)
  --backend wasm|cpu     tfjs backend (default wasm)
  --log-every K          progress line every K steps (default 100)
  --data DIR             prepared data root (default <repo>/public/data)
  -h, --help             show this help
`;

const OPTIONS = {
  out: { type: 'string' },
  force: { type: 'boolean' },
  epochs: { type: 'string' },
  batch: { type: 'string' },
  lr: { type: 'string' },
  warmup: { type: 'string' },
  shift: { type: 'string' },
  dropout: { type: 'string' },
  seed: { type: 'string' },
  channels: { type: 'string' },
  features: { type: 'string' },
  limit: { type: 'string' },
  'test-limit': { type: 'string' },
  backend: { type: 'string' },
  'log-every': { type: 'string' },
  data: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface TrainClassifierArgs {
  out: string;
  force: boolean;
  training: ClassifierTrainingOptions;
  config: ClassifierConfig;
  limit: number | null;
  testLimit: number | null;
  backend: 'wasm' | 'cpu';
  logEvery: number;
  data: string;
}

function parseChannels(raw: string): [number, number] {
  const parts = raw.split(',');
  if (parts.length !== 2) {
    throw new UsageError(`--channels must be two integers C1,C2 (got ${JSON.stringify(raw)})`);
  }
  return [
    parseIntegerFlag('--channels', parts[0].trim(), 1, 1024),
    parseIntegerFlag('--channels', parts[1].trim(), 1, 1024),
  ];
}

/** Validates the command line. Throws UsageError. */
export function parseTrainClassifierArgs(argv: string[]): TrainClassifierArgs | 'help' {
  const v = parseOptions(argv, OPTIONS);
  if (v.help) return 'help';
  const int = (flag: string, raw: string | undefined, fallback: number, min: number, max = 1e9) =>
    raw === undefined ? fallback : parseIntegerFlag(flag, raw, min, max);
  const num = (flag: string, raw: string | undefined, fallback: number, range = {}) =>
    raw === undefined ? fallback : parseNumberFlag(flag, raw, range);
  return {
    out: v.out ?? DEFAULT_JUDGE_DIR,
    force: v.force ?? false,
    training: {
      epochs: int('--epochs', v.epochs, D.epochs, 1, 1000),
      batchSize: int('--batch', v.batch, D.batchSize, 1, 4096),
      learningRate: num('--lr', v.lr, D.learningRate, { above: 0, max: 1 }),
      warmupSteps: int('--warmup', v.warmup, D.warmupSteps, 0),
      maxShift: int('--shift', v.shift, D.maxShift, 0, 8),
      dropout: num('--dropout', v.dropout, D.dropout, { min: 0, max: 0.95 }),
      seed: int('--seed', v.seed, D.seed, 0, Number.MAX_SAFE_INTEGER),
    },
    config: {
      ...MNIST_CLASSIFIER,
      channels: v.channels === undefined ? C.channels : parseChannels(v.channels),
      featureDim: int('--features', v.features, C.featureDim, 1, 4096),
    },
    limit: v.limit === undefined ? null : parseIntegerFlag('--limit', v.limit, 1, 1e7),
    testLimit:
      v['test-limit'] === undefined
        ? null
        : parseIntegerFlag('--test-limit', v['test-limit'], 2, 1e7),
    backend: parseChoice('--backend', v.backend ?? 'wasm', ['wasm', 'cpu'] as const),
    logEvery: int('--log-every', v['log-every'], 100, 1),
    data: v.data ?? DEFAULT_DATA_DIR,
  };
}

const pct = (v: number | null) => (v === null ? '-' : `${(100 * v).toFixed(2)}%`);

function progressLine(s: ClassifierStepStats, started: number): string {
  const elapsed = (performance.now() - started) / 1000;
  return (
    `step ${s.step}/${s.totalSteps}  epoch ${s.epoch.toFixed(2)}  loss ${s.loss.toFixed(4)}  ` +
    `acc ${pct(s.accuracy)}  lr ${s.learningRate.toExponential(2)}  ` +
    `${s.imagesPerSecond.toFixed(0)} img/s  elapsed ${elapsed.toFixed(1)}s\n`
  );
}

function accuracyLines(a: MeasuredAccuracy, classNames: readonly string[]): string {
  const per = a.perClass.map((v, k) => `${classNames[k]}: ${pct(v)}`).join('  ');
  return `test accuracy ${pct(a.overall)} on ${a.count} images\n  per class  ${per}\n`;
}

async function trainClassifier(args: TrainClassifierArgs, argv: string[], io: CliIo) {
  if (!args.force && existsSync(path.join(args.out, MODEL_JSON_FILE))) {
    throw new UsageError(`${args.out} already holds a judge; pass --force to overwrite it`);
  }
  const command = commandLine('train-classifier', argv);
  const git = gitCommit(); // the code that trains, even if HEAD moves during the run
  const choice = await initBackend(args.backend, { wasmPaths: nodeWasmDir() });
  if (choice.backend !== args.backend) {
    io.stderr(
      `warning: the ${args.backend} backend is unavailable (${choice.fallbackReason ?? 'unknown'}); ` +
        `using ${choice.backend}\n`,
    );
  }
  const source = fsSource(args.data);
  const train = await loadDataset(source, 'mnist', 'train', { limit: args.limit ?? undefined });
  const test = await loadDataset(source, 'mnist', 'test', { limit: args.testLimit ?? undefined });
  const model = Classifier.create(args.config, { seed: args.training.seed });
  const trainer = new ClassifierTrainer(model, train, args.training);
  try {
    io.stderr(
      `train-classifier: ${model.numParams} params, ${(classifierFlops(args.config) / 1e6).toFixed(1)} ` +
        `MFLOP/image, ${train.count} train / ${test.count} test images, ${args.training.epochs} ` +
        `epochs of ${trainer.stepsPerEpoch} steps, batch ${args.training.batchSize}, ` +
        `lr ${args.training.learningRate}, seed ${args.training.seed}, ${choice.backend}\n`,
    );
    const started = performance.now();
    while (!trainer.done) {
      trainer.step();
      if (trainer.stepCount % args.logEvery === 0 || trainer.done) {
        const stats = await trainer.flush();
        if (stats) io.stdout(progressLine(stats, started));
      }
    }
    const wallTimeSeconds = (performance.now() - started) / 1000;
    const meta = {
      classifierConfig: args.config,
      dataset: 'mnist' as const,
      classNames: [...train.classNames],
      training: {
        epochs: args.training.epochs,
        steps: trainer.stepCount,
        batch: args.training.batchSize,
        learningRate: args.training.learningRate,
        warmupSteps: args.training.warmupSteps,
        maxShift: args.training.maxShift,
        dropout: args.training.dropout,
        seed: args.training.seed,
        trainImages: train.count,
        wallTimeSeconds,
        command,
        gitCommit: git,
        machine: machine(choice.backend),
      },
    };
    // The CRC of the weights ties reference-stats.json to them; it does not depend on the
    // accuracy, which is added to model.json afterwards.
    const first = await encodeClassifier(model, meta);
    const crc = first.modelJson.weightsCrc32 ?? '';
    const measured = await measureOnDataset(model, test, crc);
    const encoded = await encodeClassifier(model, { ...meta, testAccuracy: measured.accuracy });
    await saveJudgeDir(args.out, { ...encoded, referenceStats: measured.reference });
    io.stdout(accuracyLines(measured.accuracy, train.classNames));
    io.stdout(
      `saved the judge to ${args.out} (training ${wallTimeSeconds.toFixed(1)} s, ` +
        `${(encoded.weights.byteLength / 1e6).toFixed(2)} MB of weights)\n`,
    );
  } finally {
    trainer.dispose();
    model.dispose();
  }
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const args = parseTrainClassifierArgs(argv);
  if (args === 'help') {
    io.stdout(TRAIN_CLASSIFIER_USAGE);
    return EXIT_OK;
  }
  await trainClassifier(args, argv, io);
  return EXIT_OK;
}
