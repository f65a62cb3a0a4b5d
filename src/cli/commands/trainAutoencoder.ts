// `train-autoencoder`: trains latent diffusion's first stage (src/model/autoencoder.ts) in Node,
// measures the reconstruction error on the test split and LDM's latent scale factor on a batch
// of training latents, and writes DIR/model.json + weights.bin with the provenance.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadDataset } from '../../data/dataset';
import { fsSource } from '../../data/fsSource';
import { latentScaleFactor } from '../../diffusion/latentScaling';
import {
  Autoencoder,
  autoencoderFlops,
  CIFAR10_AUTOENCODER,
  latentShape,
  MNIST_AUTOENCODER,
  type AutoencoderConfig,
} from '../../model/autoencoder';
import { DATASETS, type DatasetName } from '../../model/presets';
import { nodeWasmDir } from '../../engine/backends/nodeWasm';
import { initBackend } from '../../engine/backends/select';
import { MODEL_JSON_FILE } from '../../engine/checkpoint/types';
import { encodeAutoencoder } from '../../engine/latent/autoencoderCheckpoint';
import {
  AutoencoderTrainer,
  DEFAULT_AUTOENCODER_TRAINING,
  type AutoencoderTrainingOptions,
} from '../../engine/latent/autoencoderTrainer';
import { encodeDataset } from '../../engine/latent/encodeDataset';
import { writeModelFiles } from '../../engine/latent/fsStore';
import {
  optionalInteger,
  optionalNumber,
  parseChoice,
  parseIntegerFlag,
  parseIntegerList,
  parseOptions,
} from '../args';
import { DEFAULT_DATA_DIR } from '../paths';
import { commandLine, gitCommit, machine } from '../provenance';
import { EXIT_OK, UsageError, type CliIo } from '../types';

const D = DEFAULT_AUTOENCODER_TRAINING;

/** Images whose latents set the scale factor (LDM: the first training batch). */
export const SCALE_BATCH = 512;

export const AUTOENCODER_CONFIGS: Record<DatasetName, AutoencoderConfig> = {
  mnist: MNIST_AUTOENCODER,
  cifar10: CIFAR10_AUTOENCODER,
};

export const TRAIN_AUTOENCODER_USAGE = `Usage: cli train-autoencoder --dataset mnist|cifar10 --out DIR [options]

Trains the first stage of latent diffusion (Rombach et al. 2022): a small conv autoencoder with
a KL-regularised latent (mnist 28x28x1 -> 7x7x4, cifar10 32x32x3 -> 8x8x4) on
L = ||x - D(z)||² + β·KL(q(z|x) || N(0, I)), z = μ + σ·ε. Then measures the per-pixel MSE of
D(E(x)) on the test split and the latent scale factor 1/std(z) on ${SCALE_BATCH} training images, and
writes DIR/model.json + weights.bin with both and the provenance.

Options:
  --dataset D            mnist or cifar10 (required)
  --out DIR              output directory (required)
  --force                overwrite an autoencoder already in DIR
  --steps N              Adam steps (default ${D.steps})
  --batch B              images per step (default ${D.batchSize})
  --lr X                 Adam learning rate after the warm-up (default ${D.learningRate})
  --warmup N             linear warm-up steps (default ${D.warmupSteps})
  --kl-weight β          weight of the KL term, 0..1 (default ${D.klWeight}, LDM's KL-f4)
  --channels C1,C2       encoder/decoder widths (default mnist ${MNIST_AUTOENCODER.channels.join(',')}, cifar10 ${CIFAR10_AUTOENCODER.channels.join(',')})
  --seed S               seed of init, batch order and the reparameterisation noise (default ${D.seed})
  --limit N              train on the first N training images only (default all)
  --test-limit N         measure on the first N test images only (default all)
  --backend wasm|cpu     tfjs backend (default wasm)
  --log-every K          progress line every K steps (default 50)
  --data DIR             prepared data root (default <repo>/public/data)
  -h, --help             show this help
`;

const OPTIONS = {
  dataset: { type: 'string' },
  out: { type: 'string' },
  force: { type: 'boolean' },
  steps: { type: 'string' },
  batch: { type: 'string' },
  lr: { type: 'string' },
  warmup: { type: 'string' },
  'kl-weight': { type: 'string' },
  channels: { type: 'string' },
  seed: { type: 'string' },
  limit: { type: 'string' },
  'test-limit': { type: 'string' },
  backend: { type: 'string' },
  'log-every': { type: 'string' },
  data: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface TrainAutoencoderArgs {
  dataset: DatasetName;
  out: string;
  force: boolean;
  training: AutoencoderTrainingOptions;
  config: AutoencoderConfig;
  limit: number | null;
  testLimit: number | null;
  backend: 'wasm' | 'cpu';
  logEvery: number;
  data: string;
}

/** --channels C1,C2. */
function parseChannels(raw: string): [number, number] {
  const [c1, c2] = parseIntegerList('--channels', raw, { min: 2, max: 2 }, 512);
  return [c1, c2];
}

/** Validates the command line. Throws UsageError. */
export function parseTrainAutoencoderArgs(argv: string[]): TrainAutoencoderArgs | 'help' {
  const v = parseOptions(argv, OPTIONS);
  if (v.help) return 'help';
  if (v.dataset === undefined) throw new UsageError('missing --dataset (mnist or cifar10)');
  if (v.out === undefined) throw new UsageError('missing --out (the output directory)');
  const dataset = parseChoice('--dataset', v.dataset, DATASETS);
  const base = AUTOENCODER_CONFIGS[dataset];
  return {
    dataset,
    out: v.out,
    force: v.force ?? false,
    training: {
      steps: optionalInteger('--steps', v.steps, D.steps, 1, 1e7),
      batchSize: optionalInteger('--batch', v.batch, D.batchSize, 1, 4096),
      learningRate: optionalNumber('--lr', v.lr, D.learningRate, { above: 0, max: 1 }),
      warmupSteps: optionalInteger('--warmup', v.warmup, D.warmupSteps, 0),
      klWeight: optionalNumber('--kl-weight', v['kl-weight'], D.klWeight, { min: 0, max: 1 }),
      seed: optionalInteger('--seed', v.seed, D.seed, 0, Number.MAX_SAFE_INTEGER),
    },
    config: {
      ...base,
      channels: v.channels === undefined ? base.channels : parseChannels(v.channels),
    },
    limit: v.limit === undefined ? null : parseIntegerFlag('--limit', v.limit, 1, 1e7),
    testLimit:
      v['test-limit'] === undefined
        ? null
        : parseIntegerFlag('--test-limit', v['test-limit'], 1, 1e7),
    backend: parseChoice('--backend', v.backend ?? 'wasm', ['wasm', 'cpu'] as const),
    logEvery: optionalInteger('--log-every', v['log-every'], 50, 1),
    data: v.data ?? DEFAULT_DATA_DIR,
  };
}

async function trainAutoencoder(args: TrainAutoencoderArgs, argv: string[], io: CliIo) {
  if (!args.force && existsSync(path.join(args.out, MODEL_JSON_FILE))) {
    throw new UsageError(`${args.out} already holds a model; pass --force to overwrite it`);
  }
  const command = commandLine('train-autoencoder', argv);
  const git = gitCommit();
  const choice = await initBackend(args.backend, { wasmPaths: nodeWasmDir() });
  const source = fsSource(args.data);
  const train = await loadDataset(source, args.dataset, 'train', {
    limit: args.limit ?? undefined,
  });
  const test = await loadDataset(source, args.dataset, 'test', {
    limit: args.testLimit ?? undefined,
  });
  const ae = Autoencoder.create(args.config, { seed: args.training.seed });
  const trainer = new AutoencoderTrainer(ae, train, args.training);
  try {
    const flops = autoencoderFlops(args.config);
    io.stderr(
      `train-autoencoder: ${ae.numParams} params, ${args.config.imageSize}² -> ` +
        `${latentShape(args.config).join('x')}, encoder ${(flops.encoder / 1e6).toFixed(1)} + ` +
        `decoder ${(flops.decoder / 1e6).toFixed(1)} MFLOP/image, ${train.count} train / ` +
        `${test.count} test images, ${args.training.steps} steps × ${args.training.batchSize}, ` +
        `β ${args.training.klWeight}, ${choice.backend}\n`,
    );
    const started = performance.now();
    while (!trainer.done) {
      trainer.step();
      if (trainer.stepCount % args.logEvery === 0 || trainer.done) {
        const s = await trainer.flush();
        if (s) {
          const elapsed = (performance.now() - started) / 1000;
          io.stdout(
            `step ${s.step}/${s.totalSteps}  loss ${s.loss.toFixed(3)}  mse/pixel ${s.mse.toFixed(5)}  ` +
              `kl ${s.kl.toFixed(1)}  lr ${s.learningRate.toExponential(2)}  ` +
              `${s.imagesPerSecond.toFixed(0)} img/s  elapsed ${elapsed.toFixed(1)}s\n`,
          );
        }
      }
    }
    const wallTimeSeconds = (performance.now() - started) / 1000;
    const scaleSet = await encodeDataset(ae, train, { limit: SCALE_BATCH, reconstruct: false });
    const scaleFactor = latentScaleFactor(scaleSet.latents);
    const measured = await encodeDataset(ae, test);
    if (measured.mse === null) throw new Error('internal: no reconstruction error');
    const encoded = await encodeAutoencoder(ae, {
      autoencoderConfig: args.config,
      dataset: args.dataset,
      klWeight: args.training.klWeight,
      scaleFactor,
      testMse: measured.mse,
      testCount: measured.count,
      training: {
        steps: trainer.stepCount,
        batch: args.training.batchSize,
        learningRate: args.training.learningRate,
        seed: args.training.seed,
        wallTimeSeconds,
        command,
        ...(git ? { gitCommit: git } : {}),
        machine: machine(choice.backend),
      },
    });
    await writeModelFiles(args.out, encoded);
    io.stdout(
      `test reconstruction: per-pixel MSE ${measured.mse.toFixed(5)} (range [-1, 1]) on ` +
        `${measured.count} images; latent std ${(1 / scaleFactor).toFixed(4)}, scale factor ` +
        `${scaleFactor.toFixed(4)}\nsaved the autoencoder to ${args.out} (training ` +
        `${wallTimeSeconds.toFixed(1)} s)\n`,
    );
  } finally {
    trainer.dispose();
    ae.dispose();
  }
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const args = parseTrainAutoencoderArgs(argv);
  if (args === 'help') {
    io.stdout(TRAIN_AUTOENCODER_USAGE);
    return EXIT_OK;
  }
  await trainAutoencoder(args, argv, io);
  return EXIT_OK;
}
