// `train-classifier`: trains a judge (src/model/classifier.ts: the MNIST one or the CIFAR-10 one)
// in Node (wasm backend by default), measures it on the whole test split and writes into --out:
//   DIR/model.json + weights.bin  the classifier (format "diffusion-playground-classifier"), with
//                                 its provenance and measured test accuracy
//   DIR/reference-stats.json      mean and covariance of its features over the test split (the
//                                 Fréchet reference) and the real data's per-class diversity
import { loadDataset } from '../../data/dataset';
import { fsSource } from '../../data/fsSource';
import {
  archOf,
  CIFAR10_CLASSIFIER,
  Classifier,
  classifierFlops,
  MNIST_CLASSIFIER,
  type ClassifierConfig,
} from '../../model/classifier';
import type { DatasetName } from '../../model/presets';
import { calibrateBatchNorm } from '../../engine/judge/calibrate';
import { encodeClassifier } from '../../engine/judge/checkpoint';
import { saveJudgeDir } from '../../engine/judge/fsStore';
import { measureOnDataset } from '../../engine/judge/testSet';
import {
  ClassifierTrainer,
  DEFAULT_CLASSIFIER_TRAINING,
  type ClassifierTrainingOptions,
} from '../../engine/judge/trainer';
import {
  LOOP_FLAG_OPTIONS,
  loopFlagsUsage,
  parseLoopFlags,
  refuseOverwrite,
  runTrainingLoop,
  startBackend,
} from '../classifierTraining';
import type { MeasuredAccuracy } from '../../engine/judge/types';
import {
  optionalInteger,
  optionalNumber,
  parseChoice,
  parseIntegerFlag,
  parseIntegerList,
  parseOptions,
} from '../args';
import { DEFAULT_CIFAR10_JUDGE_DIR, DEFAULT_DATA_DIR, DEFAULT_JUDGE_DIR } from '../paths';
import { commandLine, gitCommit, machine } from '../provenance';
import { EXIT_OK, UsageError, type CliIo } from '../types';

const D = DEFAULT_CLASSIFIER_TRAINING;
const C = MNIST_CLASSIFIER;
const V = CIFAR10_CLASSIFIER;

/** Per data set: the judge's layout and the recipe that trained the shipped one. */
export const CLASSIFIER_RECIPES: Record<
  DatasetName,
  { config: ClassifierConfig; training: ClassifierTrainingOptions; calibrate: number }
> = {
  mnist: { config: MNIST_CLASSIFIER, training: D, calibrate: 0 },
  cifar10: {
    config: CIFAR10_CLASSIFIER,
    training: {
      ...D,
      epochs: 5,
      batchSize: 64,
      learningRate: 3e-3,
      warmupSteps: 200,
      maxShift: 0,
      dropout: 0,
      flip: true,
      labelSmoothing: 0.1,
    },
    calibrate: 10000,
  },
};
const R = CLASSIFIER_RECIPES.cifar10.training;

export const TRAIN_CLASSIFIER_USAGE = `Usage: cli train-classifier [--dataset mnist|cifar10] [--out DIR] [options]

Trains a judge with Adam and a warm-up + cosine learning rate, then measures it on the whole
test split. Prints "step N/M epoch E loss ... acc ..." every --log-every steps.
  mnist    conv 3x3 ${C.channels[0]}, ${C.channels[0]}/2, ${C.channels[1]}, ${C.channels[1]}/2 -> dense ${C.featureDim} -> 10, random shifts
  cifar10  (conv 3x3 + batch norm + ReLU, max-pool 2) per stage of widths ${V.channels.join(',')} -> global
           max-pool (features ${V.featureDim}) -> 10; random shifts and flips, label smoothing; after
           training the batch norms' population statistics are measured on --calibrate images
Writes into DIR:
  model.json, weights.bin  the classifier, its provenance and test accuracy
  reference-stats.json     feature mean/covariance over the test split (the Fréchet reference)
                           and per-class mean pairwise feature distances (the diversity baseline)

Options (defaults: mnist / cifar10):
  --dataset NAME         mnist or cifar10 (default mnist)
  --out DIR              output directory (default <repo>/models/<dataset>-classifier)
  --force                overwrite a judge already in DIR
${loopFlagsUsage({
  epochs: `${D.epochs} / ${R.epochs}`,
  batch: `${D.batchSize} / ${R.batchSize}`,
  lr: `${D.learningRate} / ${R.learningRate}`,
  warmup: `${D.warmupSteps} / ${R.warmupSteps}`,
})}  --shift P              random translation of up to ±P pixels, 0 = none (default ${D.maxShift} / ${R.maxShift})
  --flip on|off          random horizontal flips (default off / on)
  --label-smoothing E    label smoothing ε in [0, 1) (default ${D.labelSmoothing} / ${R.labelSmoothing})
  --dropout P            dropout on the features while training (default ${D.dropout} / ${R.dropout})
  --seed S               seed of init, batch order, shifts, flips, dropout (default ${D.seed})
  --channels C1,C2,...   conv widths: two for mnist (default ${C.channels.join(',')}), one per
                         stage for cifar10 (default ${V.channels.join(',')})
  --features D           mnist: feature width, the Fréchet dimension (default ${C.featureDim});
                         cifar10: the last width
  --flip-average on|off  cifar10: judge x and its mirror image, average (default off)
  --calibrate N          cifar10: training images for the batch-norm statistics (default ${CLASSIFIER_RECIPES.cifar10.calibrate})
  --limit N              train on the first N training images only (default all)
  --test-limit N         measure on the first N test images only (default all 10000)
  --backend wasm|cpu     tfjs backend (default wasm)
  --log-every K          progress line every K steps (default 100)
  --data DIR             prepared data root (default <repo>/public/data)
  -h, --help             show this help
`;

const OPTIONS = {
  ...LOOP_FLAG_OPTIONS,
  dataset: { type: 'string' },
  out: { type: 'string' },
  flip: { type: 'string' },
  'label-smoothing': { type: 'string' },
  'flip-average': { type: 'string' },
  calibrate: { type: 'string' },
  force: { type: 'boolean' },
  shift: { type: 'string' },
  dropout: { type: 'string' },
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
  dataset: DatasetName;
  out: string;
  /** Training images for the batch-norm statistics (0: no batch norm). */
  calibrate: number;
  force: boolean;
  training: ClassifierTrainingOptions;
  config: ClassifierConfig;
  limit: number | null;
  testLimit: number | null;
  backend: 'wasm' | 'cpu';
  logEvery: number;
  data: string;
}

const parseOnOff = (flag: string, raw: string): boolean =>
  parseChoice(flag, raw, ['on', 'off'] as const) === 'on';

/** Validates the command line. Throws UsageError. */
export function parseTrainClassifierArgs(argv: string[]): TrainClassifierArgs | 'help' {
  const v = parseOptions(argv, OPTIONS);
  if (v.help) return 'help';
  const dataset = parseChoice('--dataset', v.dataset ?? 'mnist', ['mnist', 'cifar10'] as const);
  const recipe = CLASSIFIER_RECIPES[dataset];
  const T = recipe.training;
  const vgg = archOf(recipe.config) === 'vgg';
  if (!vgg && v['flip-average'] !== undefined) {
    throw new UsageError('--flip-average is for --dataset cifar10 (the batch-norm judge)');
  }
  if (!vgg && v.calibrate !== undefined) {
    throw new UsageError('--calibrate is for --dataset cifar10 (the batch-norm judge)');
  }
  if (vgg && v.features !== undefined) {
    throw new UsageError(
      "--features is for mnist; the cifar10 judge's features are its last width",
    );
  }
  const channels =
    v.channels === undefined
      ? recipe.config.channels
      : parseIntegerList(
          '--channels',
          v.channels,
          vgg ? { min: 1, max: 6 } : { min: 2, max: 2 },
          1024,
        );
  const config: ClassifierConfig = vgg
    ? {
        ...recipe.config,
        channels,
        featureDim: channels[channels.length - 1],
        flipAverage:
          v['flip-average'] === undefined
            ? recipe.config.flipAverage
            : parseOnOff('--flip-average', v['flip-average']),
      }
    : {
        ...recipe.config,
        channels,
        featureDim: optionalInteger('--features', v.features, recipe.config.featureDim, 1, 4096),
      };
  return {
    dataset,
    out: v.out ?? (dataset === 'mnist' ? DEFAULT_JUDGE_DIR : DEFAULT_CIFAR10_JUDGE_DIR),
    force: v.force ?? false,
    calibrate: vgg ? optionalInteger('--calibrate', v.calibrate, recipe.calibrate, 2, 1e7) : 0,
    training: {
      // Batch norm needs two images per batch at least.
      ...parseLoopFlags(v, T, vgg ? 2 : 1),
      maxShift: optionalInteger('--shift', v.shift, T.maxShift, 0, 8),
      dropout: optionalNumber('--dropout', v.dropout, T.dropout, { min: 0, max: 0.95 }),
      flip: v.flip === undefined ? T.flip : parseOnOff('--flip', v.flip),
      labelSmoothing: optionalNumber('--label-smoothing', v['label-smoothing'], T.labelSmoothing, {
        min: 0,
        max: 0.5,
      }),
    },
    config,
    limit: v.limit === undefined ? null : parseIntegerFlag('--limit', v.limit, 1, 1e7),
    testLimit:
      v['test-limit'] === undefined
        ? null
        : parseIntegerFlag('--test-limit', v['test-limit'], 2, 1e7),
    backend: parseChoice('--backend', v.backend ?? 'wasm', ['wasm', 'cpu'] as const),
    logEvery: optionalInteger('--log-every', v['log-every'], 100, 1),
    data: v.data ?? DEFAULT_DATA_DIR,
  };
}

const pct = (v: number | null) => (v === null ? '-' : `${(100 * v).toFixed(2)}%`);

function accuracyLines(a: MeasuredAccuracy, classNames: readonly string[]): string {
  const per = a.perClass.map((v, k) => `${classNames[k]}: ${pct(v)}`).join('  ');
  return `test accuracy ${pct(a.overall)} on ${a.count} images\n  per class  ${per}\n`;
}

async function trainClassifier(args: TrainClassifierArgs, argv: string[], io: CliIo) {
  refuseOverwrite(args.out, args.force, 'a judge');
  const command = commandLine('train-classifier', argv);
  const git = gitCommit(); // the code that trains, even if HEAD moves during the run
  const choice = await startBackend(args.backend, io);
  const source = fsSource(args.data);
  const limit = args.limit ?? undefined;
  const train = await loadDataset(source, args.dataset, 'train', { limit });
  const test = await loadDataset(source, args.dataset, 'test', {
    limit: args.testLimit ?? undefined,
  });
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
    await runTrainingLoop(trainer, args.logEvery, io);
    if (args.calibrate > 0) {
      const layers = await calibrateBatchNorm(model, train, {
        count: args.calibrate,
        batchSize: args.training.batchSize,
      });
      io.stderr(
        `batch-norm statistics of ${layers} layers measured on ${Math.min(args.calibrate, train.count)} training images\n`,
      );
    }
    const wallTimeSeconds = (performance.now() - started) / 1000;
    const meta = {
      classifierConfig: args.config,
      dataset: args.dataset,
      classNames: [...train.classNames],
      training: {
        epochs: args.training.epochs,
        steps: trainer.stepCount,
        batch: args.training.batchSize,
        learningRate: args.training.learningRate,
        warmupSteps: args.training.warmupSteps,
        maxShift: args.training.maxShift,
        dropout: args.training.dropout,
        ...(args.training.flip ? { flip: true } : {}),
        ...(args.training.labelSmoothing > 0
          ? { labelSmoothing: args.training.labelSmoothing }
          : {}),
        ...(args.training.timeBudgetSeconds > 0
          ? { timeBudgetSeconds: args.training.timeBudgetSeconds }
          : {}),
        ...(args.calibrate > 0 ? { calibrationImages: Math.min(args.calibrate, train.count) } : {}),
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
