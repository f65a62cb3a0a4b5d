// `train`: trains a U-Net on MNIST or CIFAR-10 in Node (wasm backend by default), printing a
// progress line at every readback and saving periodically and at the end into --out:
//   DIR/model.json + weights.bin  the EMA weights as a checkpoint (ema: true): what `sample` and
//                                 the browser load; provenance in its `training` field
//   DIR/train-state/              raw weights, Adam moments, EMA and counters, float32, for --resume
// Batches, t, noise and label dropout are functions of (seed, step), so a resumed run continues
// exactly as an uninterrupted one would.
import type * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDataset, type Dataset } from '../../data/dataset';
import { downsampleDataset } from '../../data/downsample';
import {
  AUGMENTATIONS,
  validateAugStrength,
  type AugmentationKind,
} from '../../diffusion/conditioningAugmentation';
import {
  CASCADE_PRESETS,
  cascadeBaseConfig,
  cascadeSrConfig,
  type CascadePreset,
} from '../../model/cascadePresets';
import { CASCADE_FACTOR, trainingCondition } from '../../engine/cascade/conditioning';
import { writeStageInfo } from '../../engine/cascade/fsStage';
import { CASCADE_STAGES, type CascadeStageKind } from '../../engine/cascade/stage';
import { fsSource } from '../../data/fsSource';
import { LOSS_WEIGHTINGS, type LossWeighting } from '../../diffusion/lossWeighting';
import { makeSchedule, type ScheduleKind, type ScheduleOptions } from '../../diffusion/schedule';
import type { UNetConfig } from '../../model/config';
import { countParams, disposeParams } from '../../model/params';
import {
  DATASETS,
  getPreset,
  PRESET_NAMES,
  type DatasetName,
  type PresetName,
} from '../../model/presets';
import { UNet, withLearnedSigma } from '../../model/unet';
import { nodeWasmDir } from '../../engine/backends/nodeWasm';
import { initBackend } from '../../engine/backends/select';
import {
  createUNetFromCheckpoint,
  decodeCheckpoint,
  encodeCheckpoint,
  type CheckpointMeta,
} from '../../engine/checkpoint';
import { loadCheckpointPath, saveCheckpointDir } from '../../engine/checkpoint/fsStore';
import { Smoother } from '../../engine/training/smoothing';
import { loadTrainStateDir, saveTrainStateDir } from '../../engine/training/stateDir';
import {
  Trainer,
  TrainingDivergedError,
  type StepStats,
  type TrainerOptions,
} from '../../engine/training/trainer';
import { startGradientWorkers } from '../gradientWorkers';
import { parseIntegerFlag, parseOptions } from '../args';
import { commandLine, gitCommit, machine } from '../provenance';
import { EXIT_FAILURE, EXIT_OK, UsageError, type CliIo } from '../types';

const BACKENDS = ['wasm', 'cpu', 'webgpu'] as const;
type Backend = (typeof BACKENDS)[number];

/** DDPM's schedule (Ho et al. 2020, Sec. 4): linear betas 1e-4..0.02, T = 1000. */
const SCHEDULE: Required<ScheduleOptions> = { kind: 'linear', T: 1000, scaled: false };
const SCHEDULE_KINDS: readonly ScheduleKind[] = ['linear', 'cosine'];
const STATE_DIR = 'train-state';
const DEFAULT_DATA = fileURLToPath(new URL('../../../public/data/', import.meta.url));

export const TRAIN_USAGE = `Usage: cli train --dataset mnist|cifar10 --steps N --out DIR [options]
       cli train --resume --out DIR --steps N [options]

Trains a DDPM U-Net (Ho et al. 2020, Alg. 1; T = 1000) with label dropout for
classifier-free guidance (Ho & Salimans 2022). Prints "step N/M loss ... smoothed ... img/s"
every --log-every steps. Saves into DIR every --save-every steps and at the end:
  DIR/model.json, DIR/weights.bin  EMA weights (a checkpoint for \`cli sample --model DIR\`)
  DIR/train-state/                 raw weights + Adam state, used by --resume

Options:
  --dataset mnist|cifar10   data set (prepared by \`npm run prepare-data\`)
  --preset tiny|small|medium  model size (default small)
  --steps N                 train until N steps in total (with --resume: including earlier ones)
  --batch B                 images per step (default 32)
  --lr X                    peak Adam learning rate after the warm-up (default 1e-3)
  --warmup N                linear learning-rate warm-up steps (default 100)
  --seed S                  seed of init, batch order, t, noise, dropout (default 0)
  --limit N                 train on the first N training images only (default all)
  --backend wasm|cpu|webgpu tfjs backend (default wasm; falls back with a warning)
  --save-every K            also save every K steps (default 1000; 0: only at the end)
  --log-every K             progress line every K steps (default 100)
  --data DIR                prepared data root (default <repo>/public/data)
  --out DIR                 output directory; must not hold a run unless --resume
  --resume                  continue the run saved in DIR; --dataset, --preset, --batch,
                            --seed and --limit default to (and must equal) the saved ones
  --init-from DIR           start a new run from a checkpoint's weights (its model config and
                            data set must match --dataset and --preset); Adam starts fresh and
                            the EMA starts at those weights; recorded in the provenance
  --learn-sigma             learn the reverse variance Σ_θ (Nichol & Dhariwal 2021, eq. 15) with
                            L_hybrid = L_simple + 0.001·L_vlb (eq. 16); with --init-from an
                            ε-only checkpoint, its output layer gains zero-initialised v outputs
  --schedule linear|cosine  noise schedule of a new run (default linear, Ho et al. 2020; cosine:
                            Nichol & Dhariwal 2021, Sec. 3.2); saved in the checkpoint
  --loss-weight uniform|min-snr
                            weight of ‖ε − ε_θ‖² per t: uniform (Ho et al. eq. 14, default) or
                            min(SNR_t, 5)/SNR_t (min-SNR-γ, Hang et al. 2023); with --resume the
                            saved run's unless given
  --minutes M               stop and save after M minutes of this command (pilot runs at equal
                            wall time), or at --steps, whichever comes first
  --workers N               share each step's batch among N threads, this one and N − 1 worker
                            threads, one core each (default 1): each computes its part's
                            gradient, this thread adds them up weighted by share and takes the
                            Adam step, as the page does with its sampling workers; the same run
                            up to float summation order (and dropout masks: each part draws its
                            own). wasm only; a cascade's sr stage trains on one thread
  --cascade-stage base|sr   train one stage of a cascade (Ho et al. 2021; MNIST only): base is
                            the class-conditional model of 14×14 digits (the data set averaged
                            over 2×2 blocks), sr the 28×28 super-resolution model that reads the
                            upsampled 14×14 image as an extra input channel; --preset tiny or
                            compact (default compact); writes DIR/stage.json beside the checkpoint
  --aug noise|blur|none     sr only: conditioning augmentation of the low-res input (CDM Sec. 4):
                            noise z_s = √ᾱ_s·x_low + √(1−ᾱ_s)·ε with s an input of the model,
                            blur a Gaussian of σ in low-res pixels; default noise
  --aug-strength X          sr only: noise, the largest level a_max in (0, 1] (s uniform on
                            0..round(a_max·(T−1)); default 0.5); blur, σ_max in (0, 3] (σ uniform
                            on [0, σ_max]; default 1); none takes no strength
  -h, --help                show this help
`;

const OPTIONS = {
  dataset: { type: 'string' },
  preset: { type: 'string' },
  steps: { type: 'string' },
  batch: { type: 'string' },
  lr: { type: 'string' },
  warmup: { type: 'string' },
  seed: { type: 'string' },
  limit: { type: 'string' },
  backend: { type: 'string' },
  'save-every': { type: 'string' },
  'log-every': { type: 'string' },
  data: { type: 'string' },
  out: { type: 'string' },
  resume: { type: 'boolean' },
  'init-from': { type: 'string' },
  'learn-sigma': { type: 'boolean' },
  'cascade-stage': { type: 'string' },
  aug: { type: 'string' },
  'aug-strength': { type: 'string' },
  schedule: { type: 'string' },
  'loss-weight': { type: 'string' },
  minutes: { type: 'string' },
  workers: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface TrainArgs {
  /** null: not given (taken from the saved run with --resume). */
  dataset: DatasetName | null;
  preset: PresetName | null;
  steps: number;
  batch: number | null;
  lr: number | null;
  warmup: number | null;
  seed: number | null;
  limit: number | null;
  backend: Backend;
  saveEvery: number;
  logEvery: number;
  data: string;
  out: string;
  resume: boolean;
  /** A checkpoint (directory or .dpck) whose weights a new run starts from. */
  initFrom: string | null;
  /** --learn-sigma given (a learned Σ_θ and L_hybrid); with --resume it must match the run. */
  learnSigma: boolean;
  /** A cascade stage (--cascade-stage), or null for an ordinary model. */
  cascade: CascadeArgs | null;
  /** --schedule (a new run only); null: linear, or the saved run's. */
  schedule: ScheduleKind | null;
  /** --loss-weight; null: uniform, or the saved run's. */
  lossWeighting: LossWeighting | null;
  /** --minutes: stop (and save) after this many minutes of this command; null: no limit. */
  minutes: number | null;
  /** --workers: threads sharing each step (this one included). */
  workers: number;
}

export interface CascadeArgs {
  stage: CascadeStageKind;
  augmentation: AugmentationKind;
  augStrength: number;
}

/** What a run is, saved in train-state/state.json and restored by --resume. */
interface RunConfig {
  dataset: DatasetName;
  preset: PresetName;
  modelConfig: UNetConfig;
  schedule: Required<ScheduleOptions>;
  limit: number | null;
  trainer: Required<Omit<TrainerOptions, 'reportEvery'>>;
  wallTimeSeconds: number;
  commands: string[];
  /** The checkpoint a fresh run started from, if any (provenance). */
  initFrom?: string;
  /** The cascade stage this run trains, if any. */
  cascade?: CascadeArgs;
}

function oneOf<T extends string>(flag: string, raw: string, allowed: readonly T[]): T {
  const hit = allowed.find((a) => a === raw);
  if (hit === undefined) {
    const list = allowed.map((a) => `"${a}"`).join(', ');
    throw new UsageError(`${flag} must be one of ${list} (got ${JSON.stringify(raw)})`);
  }
  return hit;
}

/** A positive finite decimal number. */
function parsePositiveNumber(flag: string, raw: string): number {
  const value = /^[+]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(raw) ? Number(raw) : Number.NaN;
  if (!(Number.isFinite(value) && value > 0)) {
    throw new UsageError(`${flag} must be a positive number (got ${JSON.stringify(raw)})`);
  }
  return value;
}

const opt = <T>(raw: string | undefined, parse: (s: string) => T): T | null =>
  raw === undefined ? null : parse(raw);

/** Validates the command line (not yet against a saved run). Throws UsageError. */
export function parseTrainArgs(argv: string[]): TrainArgs | 'help' {
  const v = parseOptions(argv, OPTIONS);
  if (v.help) return 'help';
  const resume = v.resume ?? false;
  if (v.out === undefined) throw new UsageError('missing --out (the output directory)');
  if (v.steps === undefined) throw new UsageError('missing --steps (total training steps)');
  if (v.dataset === undefined && !resume) {
    throw new UsageError('missing --dataset (mnist or cifar10)');
  }
  if (resume && v['init-from'] !== undefined) {
    throw new UsageError('--init-from starts a new run; it cannot be combined with --resume');
  }
  const cascade = parseCascadeArgs(v['cascade-stage'], v.aug, v['aug-strength']);
  if (cascade && v['learn-sigma']) {
    throw new UsageError('--learn-sigma cannot be combined with --cascade-stage');
  }
  if (cascade && v['init-from'] !== undefined) {
    throw new UsageError('--init-from cannot be combined with --cascade-stage');
  }
  if (cascade && v.dataset !== undefined && v.dataset !== 'mnist') {
    throw new UsageError('--cascade-stage trains MNIST cascades only (--dataset mnist)');
  }
  if (cascade && v.preset !== undefined) oneOf('--preset', v.preset, CASCADE_PRESETS);
  if (resume && v.schedule !== undefined) {
    throw new UsageError('--schedule is fixed when a run starts; omit it to resume');
  }
  if (cascade && v.schedule !== undefined) {
    throw new UsageError('--schedule cannot be combined with --cascade-stage (linear only)');
  }
  return {
    cascade,
    dataset: opt(v.dataset, (s) => oneOf('--dataset', s, DATASETS)),
    preset: opt(v.preset, (s) => oneOf('--preset', s, PRESET_NAMES)),
    steps: parseIntegerFlag('--steps', v.steps, 1, 1e9),
    batch: opt(v.batch, (s) => parseIntegerFlag('--batch', s, 1, 4096)),
    lr: opt(v.lr, (s) => parsePositiveNumber('--lr', s)),
    warmup: opt(v.warmup, (s) => parseIntegerFlag('--warmup', s, 0, 1e9)),
    seed: opt(v.seed, (s) => parseIntegerFlag('--seed', s, 0, Number.MAX_SAFE_INTEGER)),
    limit: opt(v.limit, (s) => parseIntegerFlag('--limit', s, 1, 1e7)),
    backend: oneOf('--backend', v.backend ?? 'wasm', BACKENDS),
    saveEvery:
      v['save-every'] === undefined
        ? 1000
        : parseIntegerFlag('--save-every', v['save-every'], 0, 1e9),
    logEvery:
      v['log-every'] === undefined ? 100 : parseIntegerFlag('--log-every', v['log-every'], 1, 1e9),
    data: v.data ?? DEFAULT_DATA,
    out: v.out,
    resume,
    initFrom: v['init-from'] ?? null,
    learnSigma: v['learn-sigma'] ?? false,
    schedule: opt(v.schedule, (s) => oneOf('--schedule', s, SCHEDULE_KINDS)),
    lossWeighting: opt(v['loss-weight'], (s) => oneOf('--loss-weight', s, LOSS_WEIGHTINGS)),
    minutes: opt(v.minutes, (s) => parsePositiveNumber('--minutes', s)),
    workers: v.workers === undefined ? 1 : parseIntegerFlag('--workers', v.workers, 1, 64),
  };
}

/** --cascade-stage, --aug, --aug-strength; null when no stage is given. Throws UsageError. */
export function parseCascadeArgs(
  stage: string | undefined,
  aug: string | undefined,
  strength: string | undefined,
): CascadeArgs | null {
  if (stage === undefined) {
    if (aug !== undefined || strength !== undefined) {
      throw new UsageError('--aug and --aug-strength need --cascade-stage sr');
    }
    return null;
  }
  const kind = oneOf('--cascade-stage', stage, CASCADE_STAGES);
  if (kind === 'base') {
    if (aug !== undefined || strength !== undefined) {
      throw new UsageError('--aug and --aug-strength are for --cascade-stage sr, not base');
    }
    return { stage: 'base', augmentation: 'none', augStrength: 0 };
  }
  const augmentation = oneOf('--aug', aug ?? 'noise', AUGMENTATIONS);
  if (augmentation === 'none' && strength !== undefined) {
    throw new UsageError('--aug none takes no --aug-strength');
  }
  const value =
    strength === undefined
      ? { noise: 0.5, blur: 1, none: 0 }[augmentation]
      : /^[+]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(strength)
        ? Number(strength)
        : Number.NaN;
  try {
    validateAugStrength(augmentation, value);
  } catch (e) {
    throw new UsageError(`--aug-strength: ${e instanceof Error ? e.message : String(e)}`);
  }
  return { stage: 'sr', augmentation, augStrength: value };
}

function cascadeModelConfig(c: CascadeArgs, preset: CascadePreset): UNetConfig {
  return c.stage === 'base' ? cascadeBaseConfig(preset) : cascadeSrConfig(preset, c.augmentation);
}

function freshRun(a: TrainArgs, command: string): RunConfig {
  const dataset = a.dataset as DatasetName;
  const preset = a.preset ?? (a.cascade ? 'compact' : 'small');
  return {
    dataset,
    preset,
    modelConfig: a.cascade
      ? cascadeModelConfig(a.cascade, preset as CascadePreset)
      : a.learnSigma
        ? { ...getPreset(dataset, preset), learnSigma: true }
        : getPreset(dataset, preset),
    schedule: { ...SCHEDULE, kind: a.schedule ?? SCHEDULE.kind },
    limit: a.limit,
    trainer: {
      batchSize: a.batch ?? 32,
      learningRate: a.lr ?? 1e-3,
      warmupSteps: a.warmup ?? 100,
      gradClip: 1,
      emaDecay: 0.999,
      pUncond: 0.1,
      randomFlip: dataset === 'cifar10',
      lossWeighting: a.lossWeighting ?? 'uniform',
      seed: a.seed ?? 0,
    },
    wallTimeSeconds: 0,
    commands: [command],
    ...(a.initFrom !== null ? { initFrom: a.initFrom } : {}),
    ...(a.cascade ? { cascade: a.cascade } : {}),
  };
}

/** The saved run, with the options this command may change; UsageError on a conflict. */
function resumedRun(saved: RunConfig, a: TrainArgs, command: string): RunConfig {
  const same: Array<[string, unknown, unknown]> = [
    ['--dataset', a.dataset, saved.dataset],
    ['--preset', a.preset, saved.preset],
    ['--batch', a.batch, saved.trainer.batchSize],
    ['--seed', a.seed, saved.trainer.seed],
    ['--limit', a.limit, saved.limit],
  ];
  for (const [flag, given, was] of same) {
    if (given !== null && given !== was) {
      throw new UsageError(
        `${flag} ${String(given)} differs from the saved run's ${String(was)}; omit it to resume`,
      );
    }
  }
  if (a.cascade && JSON.stringify(a.cascade) !== JSON.stringify(saved.cascade)) {
    throw new UsageError(
      '--cascade-stage, --aug or --aug-strength differ from the saved run; omit them to resume',
    );
  }
  if (a.learnSigma && saved.modelConfig.learnSigma !== true) {
    throw new UsageError(
      '--learn-sigma differs from the saved run, which does not learn Σ; omit it to resume',
    );
  }
  return {
    ...saved,
    trainer: {
      ...saved.trainer,
      // Runs saved before --loss-weight existed trained with uniform weights.
      lossWeighting: a.lossWeighting ?? saved.trainer.lossWeighting ?? 'uniform',
      learningRate: a.lr ?? saved.trainer.learningRate,
      warmupSteps: a.warmup ?? saved.trainer.warmupSteps,
    },
    commands: [...saved.commands, command],
  };
}

function checkSavedRun(run: unknown, where: string): RunConfig {
  const r = run as Partial<RunConfig> | null;
  const ok =
    r !== null &&
    typeof r === 'object' &&
    DATASETS.includes(r.dataset as DatasetName) &&
    PRESET_NAMES.includes(r.preset as PresetName) &&
    typeof r.modelConfig === 'object' &&
    typeof r.trainer === 'object' &&
    typeof r.schedule === 'object' &&
    typeof r.wallTimeSeconds === 'number' &&
    Array.isArray(r.commands);
  if (!ok) throw new Error(`cannot resume from ${where}: its run description is incomplete`);
  return r as RunConfig;
}

function progressLine(
  stats: StepStats,
  target: number,
  smoothed: number,
  batch: number,
  t0: number,
) {
  const elapsed = (performance.now() - t0) / 1000;
  // With --workers: how the last step was shared (fewer parts once a thread failed).
  const parts = stats.split.images;
  const shared =
    parts.length > 1 ? `  (${parts.join(' + ')} images on ${parts.length} threads)` : '';
  return (
    `step ${stats.step}/${target}  loss ${stats.loss.toFixed(4)}  smoothed ${smoothed.toFixed(4)}  ` +
    `lr ${stats.learningRate.toExponential(2)}  ${stats.imagesPerSecond.toFixed(1)} img/s  ` +
    `${(stats.imagesPerSecond / batch).toFixed(2)} steps/s  elapsed ${elapsed.toFixed(1)}s${shared}\n`
  );
}

interface Run {
  args: TrainArgs;
  run: RunConfig;
  trainer: Trainer;
  dataset: Dataset;
  backend: string;
  started: number;
  git: string | undefined;
}

/** Writes the EMA checkpoint and the resumable state. */
async function save({ args, run, trainer, dataset, backend, started, git }: Run): Promise<void> {
  const wallTimeSeconds = run.wallTimeSeconds + (performance.now() - started) / 1000;
  const meta: CheckpointMeta = {
    modelConfig: run.modelConfig,
    schedule: run.schedule,
    dataset: run.dataset,
    classNames: [...dataset.classNames],
    trainingSteps: trainer.stepCount,
    ema: true,
    training: {
      batch: run.trainer.batchSize,
      learningRate: trainer.learningRate,
      pUncond: run.trainer.pUncond,
      seed: run.trainer.seed,
      wallTimeSeconds,
      command: run.commands.join(' ; '),
      gitCommit: git,
      machine: machine(backend),
    },
  };
  const ema = trainer.emaParams();
  try {
    await saveCheckpointDir(args.out, await encodeCheckpoint(ema, meta));
  } finally {
    disposeParams(ema);
  }
  if (run.cascade) await writeStageInfo(args.out, run.cascade);
  const state = await trainer.exportState();
  const saved: RunConfig = {
    ...run,
    trainer: { ...run.trainer, learningRate: trainer.learningRate },
    wallTimeSeconds,
  };
  await saveTrainStateDir(path.join(args.out, STATE_DIR), state, saved);
}

async function prepare(args: TrainArgs, command: string) {
  const stateDir = path.join(args.out, STATE_DIR);
  let run: RunConfig;
  let saved: Awaited<ReturnType<typeof loadTrainStateDir>> | null = null;
  if (args.resume) {
    saved = await loadTrainStateDir(stateDir);
    run = resumedRun(checkSavedRun(saved.run, stateDir), args, command);
  } else {
    if (existsSync(stateDir) || existsSync(path.join(args.out, 'model.json'))) {
      throw new UsageError(
        `${args.out} already holds a training run; pass --resume to continue it or pick another --out`,
      );
    }
    run = freshRun(args, command);
  }
  return { run, state: saved?.state ?? null };
}

async function train(args: TrainArgs, argv: string[], io: CliIo): Promise<number> {
  const { run, state } = await prepare(args, commandLine('train', argv));
  const choice = await initBackend(args.backend, { wasmPaths: nodeWasmDir() });
  if (choice.backend !== args.backend) {
    io.stderr(
      `warning: the ${args.backend} backend is unavailable (${choice.fallbackReason ?? 'unknown'}); ` +
        `using ${choice.backend}\n`,
    );
  }
  const full = await loadDataset(fsSource(args.data), run.dataset, 'train', {
    limit: run.limit ?? undefined,
  });
  // The base stage of a cascade models the digits at half resolution (Ho et al. 2021, Sec. 2).
  const dataset = run.cascade?.stage === 'base' ? downsampleDataset(full, CASCADE_FACTOR) : full;
  const schedule = makeSchedule(run.schedule);
  const cascade = run.cascade;
  const conditioner =
    cascade?.stage === 'sr'
      ? (x0: tf.Tensor4D, step: number) =>
          trainingCondition(
            x0,
            cascade.augmentation,
            cascade.augStrength,
            schedule,
            run.trainer.seed,
            step,
          )
      : null;
  const unet =
    state === null && args.initFrom !== null
      ? await unetFrom(args.initFrom, run)
      : UNet.create(run.modelConfig, { seed: run.trainer.seed });
  const trainer = new Trainer(
    unet,
    dataset,
    schedule,
    { ...run.trainer, reportEvery: args.logEvery },
    conditioner,
  );
  // Worker threads only where they can take parts: wasm, and no conditioning drawn here.
  const workers =
    args.workers > 1 && choice.backend === 'wasm' && conditioner === null
      ? startGradientWorkers(args.workers - 1)
      : null;
  trainer.setGradientPeers(workers?.peers ?? null);
  const ctx: Run = {
    args,
    run,
    trainer,
    dataset,
    backend: choice.backend,
    started: performance.now(),
    git: gitCommit(),
  };
  try {
    if (state) trainer.importState(state);
    io.stderr(
      `train: ${run.dataset} ${run.preset} (${countParams(run.modelConfig)} params), ` +
        `${dataset.count} images, batch ${run.trainer.batchSize}, lr ${trainer.learningRate}, ` +
        `seed ${run.trainer.seed}, ${run.schedule.kind} schedule, ` +
        `${run.trainer.lossWeighting} loss weights, ${choice.backend}` +
        `${workers ? `, ${args.workers} threads` : ''}; ` +
        `step ${trainer.stepCount} -> ${args.steps}\n`,
    );
    if (args.workers > 1 && workers === null) {
      io.stderr(
        `warning: --workers ${args.workers} needs the wasm backend and no cascade sr stage; ` +
          'training on one thread\n',
      );
    }
    return await loop(ctx, io);
  } finally {
    await workers?.close();
    trainer.dispose();
    unet.dispose();
  }
}

/** Equal as JSON values, whatever the key order. */
function sameJson(a: unknown, b: unknown): boolean {
  const canon = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canon)
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v)
              .sort(([x], [y]) => (x < y ? -1 : 1))
              .map(([k, w]) => [k, canon(w)]),
          )
        : v;
  return JSON.stringify(canon(a)) === JSON.stringify(canon(b));
}

/** A U-Net holding a checkpoint's weights, refused unless its config and data set are the run's. */
async function unetFrom(dir: string, run: RunConfig): Promise<UNet> {
  const raw = await loadCheckpointPath(dir);
  const decoded = await decodeCheckpoint(raw.modelJson, raw.weights);
  const { manifest } = decoded;
  if (manifest.dataset !== run.dataset) {
    throw new UsageError(
      `--init-from ${dir} was trained on ${manifest.dataset}, not ${run.dataset}`,
    );
  }
  const { learnSigma: fromSigma, ...fromConfig } = manifest.modelConfig;
  const { learnSigma: runSigma, ...runConfig } = run.modelConfig;
  if (!sameJson(fromConfig, runConfig)) {
    throw new UsageError(
      `--init-from ${dir} has another model config than the ${run.preset} preset of ${run.dataset}`,
    );
  }
  if (fromSigma === true && runSigma !== true) {
    throw new UsageError(`--init-from ${dir} learns Σ_θ: pass --learn-sigma to continue it`);
  }
  if (!sameJson(manifest.schedule, run.schedule)) {
    throw new UsageError(`--init-from ${dir} was trained with another noise schedule`);
  }
  const unet = createUNetFromCheckpoint(decoded);
  if (runSigma !== true || fromSigma === true) return unet;
  try {
    return withLearnedSigma(unet);
  } finally {
    unet.dispose();
  }
}

async function loop(ctx: Run, io: CliIo): Promise<number> {
  const { args, trainer } = ctx;
  const smoother = new Smoother();
  const print = (stats: StepStats | null) => {
    if (!stats) return;
    for (const l of stats.stepLosses) smoother.push(l);
    io.stdout(
      progressLine(stats, args.steps, smoother.value, trainer.options.batchSize, ctx.started),
    );
  };
  const deadline = args.minutes === null ? Infinity : ctx.started + args.minutes * 60_000;
  try {
    while (trainer.stepCount < args.steps) {
      if (performance.now() >= deadline) {
        io.stderr(`train: --minutes ${args.minutes} reached at step ${trainer.stepCount}\n`);
        break;
      }
      print(await trainer.step());
      const s = trainer.stepCount;
      if (args.saveEvery > 0 && s % args.saveEvery === 0 && s < args.steps) {
        print(await trainer.flush());
        await save(ctx);
      }
    }
    print(await trainer.flush());
  } catch (e) {
    if (!(e instanceof TrainingDivergedError)) throw e;
    // The trainer rolled back to its last good state: keep it, so a lower --lr can --resume it.
    await save(ctx);
    io.stderr(
      `error: ${e.message}; saved step ${e.restoredStep} to ${args.out} ` +
        '(resume with --resume and a lower --lr)\n',
    );
    return EXIT_FAILURE;
  }
  await save(ctx);
  io.stdout(
    `saved step ${trainer.stepCount} to ${args.out} (EMA weights; raw weights and optimizer ` +
      `state in ${path.join(args.out, STATE_DIR)})\n`,
  );
  return EXIT_OK;
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const args = parseTrainArgs(argv);
  if (args === 'help') {
    io.stdout(TRAIN_USAGE);
    return EXIT_OK;
  }
  return train(args, argv, io);
}
