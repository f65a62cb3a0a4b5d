// `train-latent`: the second stage of latent diffusion (Rombach et al. 2022). Encodes the
// training images with a trained autoencoder (z = μ of q(z|x)), multiplies them by its scale
// factor and trains the existing DDPM trainer (Alg. 1, label dropout for classifier-free
// guidance, Adam, EMA) on those latents as if they were 7x7x4 images. Writes into --out:
//   DIR/unet/model.json + weights.bin  the EMA U-Net (latentShape in its manifest), provenance
//   DIR/autoencoder/                  a copy of the autoencoder, unless --autoencoder is DIR/autoencoder
//   DIR/latent.json                   scale factor and the two sub-folders (written last)
import { cp } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadDataset } from '../../data/dataset';
import { fsSource } from '../../data/fsSource';
import { scaleLatents } from '../../diffusion/latentScaling';
import { makeSchedule, type ScheduleOptions } from '../../diffusion/schedule';
import { latentShape } from '../../model/autoencoder';
import { countParams, disposeParams } from '../../model/params';
import { flopsPerImage } from '../../model/flops';
import { UNet } from '../../model/unet';
import { nodeWasmDir } from '../../engine/backends/nodeWasm';
import { initBackend } from '../../engine/backends/select';
import { encodeCheckpoint, type CheckpointMeta } from '../../engine/checkpoint';
import { saveCheckpointDir } from '../../engine/checkpoint/fsStore';
import {
  createAutoencoderFromCheckpoint,
  decodeAutoencoder,
} from '../../engine/latent/autoencoderCheckpoint';
import { encodeDataset, latentDataset } from '../../engine/latent/encodeDataset';
import { readModelFiles, writeLatentIndexFile } from '../../engine/latent/fsStore';
import { LATENT_FORMAT, LATENT_FORMAT_VERSION } from '../../engine/latent/latentIndex';
import { disposeLatentModel, latentUNetConfig } from '../../engine/latent/latentModel';
import { checkScaleAgrees } from '../../engine/latent/latentIndex';
import { loadLatentModelDir } from '../latentLoad';
import { Smoother } from '../../engine/training/smoothing';
import { Trainer, type StepStats } from '../../engine/training/trainer';
import { optionalInteger, parseIntegerFlag, parseNumberFlag, parseOptions } from '../args';
import { DEFAULT_DATA_DIR } from '../paths';
import { commandLine, gitCommit, machine } from '../provenance';
import { EXIT_OK, UsageError, type CliIo } from '../types';

/** DDPM's schedule (Ho et al. 2020, Sec. 4), as the pixel models. */
const SCHEDULE: Required<ScheduleOptions> = { kind: 'linear', T: 1000, scaled: false };
const AE_DIR = 'autoencoder';
const UNET_DIR = 'unet';

export const TRAIN_LATENT_USAGE = `Usage: cli train-latent --out DIR --steps N [options]

Trains the diffusion U-Net of latent diffusion (Rombach et al. 2022) on an autoencoder's scaled
latents z·scale (z = E(x), scale = 1/std of the training latents, stored with the autoencoder),
with the pixel models' trainer: DDPM L_simple, linear schedule T = 1000, label dropout 0.1 for
classifier-free guidance, Adam with warm-up, EMA 0.999. The U-Net works on the 7x7x4 latent with
one level (channelMults [1]: 7 cannot be halved and restored), two res blocks and middle
attention. Writes DIR/unet/ (EMA weights), DIR/autoencoder/ and DIR/latent.json, which
\`sample --model DIR\` and \`eval --model DIR\` read.

Options:
  --out DIR              output directory (required); must not hold a latent U-Net
  --steps N              training steps (required)
  --autoencoder DIR      the trained autoencoder (default DIR/autoencoder)
  --channels C           U-Net base channels (default 32: 17 MFLOP per latent against mnist-cfg's 53 per image)
  --batch B              latents per step (default 64)
  --lr X                 peak Adam learning rate (default 1e-3)
  --warmup N             warm-up steps (default 100)
  --seed S               seed of init, batch order, t, noise, label dropout (default 0)
  --limit N              encode and train on the first N training images only (default all)
  --time-limit MIN       stop (and save) after MIN minutes of training even before --steps
                         (for a fixed time budget; the steps done are in the provenance)
  --init-from DIR        start from the latent U-Net of a latent folder (cli train-latent's --out) to
                         train it further: same --channels, and its scale factor must be the
                         autoencoder's; the step count and commands add up in the provenance
  --save-every K         also save every K steps (default 500; 0: only at the end)
  --log-every K          progress line every K steps (default 50)
  --backend wasm|cpu     tfjs backend (default wasm)
  --data DIR             prepared data root (default <repo>/public/data)
  -h, --help             show this help
`;

const OPTIONS = {
  out: { type: 'string' },
  steps: { type: 'string' },
  autoencoder: { type: 'string' },
  channels: { type: 'string' },
  batch: { type: 'string' },
  lr: { type: 'string' },
  warmup: { type: 'string' },
  seed: { type: 'string' },
  limit: { type: 'string' },
  'save-every': { type: 'string' },
  'time-limit': { type: 'string' },
  'init-from': { type: 'string' },
  'log-every': { type: 'string' },
  backend: { type: 'string' },
  data: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface TrainLatentArgs {
  out: string;
  steps: number;
  autoencoder: string;
  channels: number;
  batch: number;
  lr: number;
  warmup: number;
  seed: number;
  limit: number | null;
  saveEvery: number;
  /** A latent folder whose U-Net this run continues; null: a fresh U-Net. */
  initFrom: string | null;
  /** Minutes of training after which to stop and save; null: none. */
  timeLimit: number | null;
  logEvery: number;
  backend: 'wasm' | 'cpu';
  data: string;
}

export function parseTrainLatentArgs(argv: string[]): TrainLatentArgs | 'help' {
  const v = parseOptions(argv, OPTIONS);
  if (v.help) return 'help';
  if (v.out === undefined) throw new UsageError('missing --out (the output directory)');
  if (v.steps === undefined) throw new UsageError('missing --steps (training steps)');
  const channels = optionalInteger('--channels', v.channels, 32, 8, 512);
  if (channels % 8 !== 0) {
    throw new UsageError(
      `--channels must be a multiple of 8 (GroupNorm's 8 groups), got ${channels}`,
    );
  }
  const backend = v.backend ?? 'wasm';
  if (backend !== 'wasm' && backend !== 'cpu') {
    throw new UsageError(`--backend must be "wasm" or "cpu" (got ${JSON.stringify(backend)})`);
  }
  return {
    out: v.out,
    steps: parseIntegerFlag('--steps', v.steps, 1, 1e9),
    autoencoder: v.autoencoder ?? path.join(v.out, AE_DIR),
    channels,
    batch: optionalInteger('--batch', v.batch, 64, 1, 4096),
    lr: v.lr === undefined ? 1e-3 : parseNumberFlag('--lr', v.lr, { above: 0, max: 1 }),
    warmup: optionalInteger('--warmup', v.warmup, 100, 0),
    seed: optionalInteger('--seed', v.seed, 0, 0, Number.MAX_SAFE_INTEGER),
    limit: v.limit === undefined ? null : parseIntegerFlag('--limit', v.limit, 1, 1e7),
    saveEvery: optionalInteger('--save-every', v['save-every'], 500, 0),
    initFrom: v['init-from'] ?? null,
    timeLimit:
      v['time-limit'] === undefined
        ? null
        : parseNumberFlag('--time-limit', v['time-limit'], { above: 0, max: 10_000 }),
    logEvery: optionalInteger('--log-every', v['log-every'], 50, 1),
    backend,
    data: v.data ?? DEFAULT_DATA_DIR,
  };
}

async function trainLatent(args: TrainLatentArgs, argv: string[], io: CliIo): Promise<void> {
  const unetDir = path.join(args.out, UNET_DIR);
  const continuing =
    args.initFrom !== null && path.resolve(args.initFrom) === path.resolve(args.out);
  if (!continuing && existsSync(path.join(unetDir, 'model.json'))) {
    throw new UsageError(`${unetDir} already holds a latent U-Net; pick another --out`);
  }
  const command = commandLine('train-latent', argv);
  const git = gitCommit();
  const choice = await initBackend(args.backend, { wasmPaths: nodeWasmDir() });
  const aeFiles = await readModelFiles(args.autoencoder);
  const aeDecoded = decodeAutoencoder(aeFiles.modelJson, aeFiles.weights);
  const aeManifest = aeDecoded.manifest;
  const ae = createAutoencoderFromCheckpoint(aeDecoded);
  const shape = latentShape(ae.config);
  let unet: UNet | null = null;
  let trainer: Trainer | null = null;
  try {
    const train = await loadDataset(fsSource(args.data), aeManifest.dataset, 'train', {
      limit: args.limit ?? undefined,
    });
    const t0 = performance.now();
    const encoded = await encodeDataset(ae, train, { batch: 256, reconstruct: false });
    const scale = aeManifest.scaleFactor;
    const latents = latentDataset(train, scaleLatents(encoded.latents, scale), shape);
    io.stderr(
      `train-latent: encoded ${encoded.count} images to ${shape.join('x')} latents in ` +
        `${((performance.now() - t0) / 1000).toFixed(1)} s, scale factor ${scale.toFixed(4)}\n`,
    );
    const config = latentUNetConfig(shape, train.classNames.length, args.channels);
    const init = args.initFrom === null ? null : await loadLatentModelDir(args.initFrom);
    let before = { steps: 0, seconds: 0, command: '' };
    if (init) {
      try {
        checkScaleAgrees(init.index, scale);
        if (JSON.stringify(init.unet.config) !== JSON.stringify(config)) {
          throw new UsageError(
            `--init-from ${args.initFrom} has another U-Net config (base channels ${init.unet.config.baseChannels}); pass its --channels`,
          );
        }
        const tr = init.unetManifest.training;
        before = {
          steps: init.unetManifest.trainingSteps,
          seconds: tr?.wallTimeSeconds ?? 0,
          command: tr?.command ? `${tr.command} ; ` : '',
        };
        unet = new UNet(config, init.unet.params);
        init.autoencoder.dispose();
      } catch (e) {
        disposeLatentModel(init);
        throw e;
      }
    } else {
      unet = UNet.create(config, { seed: args.seed });
    }
    const trainerOptions = {
      batchSize: args.batch,
      learningRate: args.lr,
      warmupSteps: args.warmup,
      gradClip: 1,
      emaDecay: 0.999,
      pUncond: 0.1,
      randomFlip: false,
      seed: args.seed,
    };
    trainer = new Trainer(unet, latents, makeSchedule(SCHEDULE), {
      ...trainerOptions,
      reportEvery: args.logEvery,
    });
    io.stderr(
      `train-latent: U-Net ${countParams(config)} params, ${(flopsPerImage(config) / 1e6).toFixed(1)} ` +
        `MFLOP per latent, batch ${args.batch}, lr ${args.lr}, ${choice.backend}; ${args.steps} steps\n`,
    );
    const started = performance.now();
    const t = trainer;
    const save = async () => {
      const meta: CheckpointMeta = {
        modelConfig: config,
        schedule: SCHEDULE,
        dataset: aeManifest.dataset,
        classNames: [...train.classNames],
        trainingSteps: before.steps + t.stepCount,
        ema: true,
        latentShape: shape,
        training: {
          batch: args.batch,
          learningRate: t.learningRate,
          pUncond: trainerOptions.pUncond,
          seed: args.seed,
          wallTimeSeconds: before.seconds + (performance.now() - started) / 1000,
          command: `${before.command}${command}`,
          ...(git ? { gitCommit: git } : {}),
          machine: machine(choice.backend),
        },
      };
      const ema = t.emaParams();
      try {
        await saveCheckpointDir(unetDir, await encodeCheckpoint(ema, meta));
      } finally {
        disposeParams(ema);
      }
      const aeTarget = path.join(args.out, AE_DIR);
      if (path.resolve(aeTarget) !== path.resolve(args.autoencoder)) {
        await cp(args.autoencoder, aeTarget, { recursive: true });
      }
      await writeLatentIndexFile(args.out, {
        format: LATENT_FORMAT,
        formatVersion: LATENT_FORMAT_VERSION,
        scaleFactor: scale,
        autoencoder: AE_DIR,
        unet: UNET_DIR,
      });
    };
    const smoother = new Smoother();
    const print = (s: StepStats | null) => {
      if (!s) return;
      for (const l of s.stepLosses) smoother.push(l);
      const elapsed = (performance.now() - started) / 1000;
      io.stdout(
        `step ${s.step}/${args.steps}  loss ${s.loss.toFixed(4)}  smoothed ${smoother.value.toFixed(4)}  ` +
          `lr ${s.learningRate.toExponential(2)}  ${s.imagesPerSecond.toFixed(1)} latents/s  ` +
          `elapsed ${elapsed.toFixed(1)}s\n`,
      );
    };
    const deadline = args.timeLimit === null ? Infinity : started + args.timeLimit * 60_000;
    while (t.stepCount < args.steps && performance.now() < deadline) {
      print(await t.step());
      if (args.saveEvery > 0 && t.stepCount % args.saveEvery === 0 && t.stepCount < args.steps) {
        print(await t.flush());
        await save();
      }
    }
    print(await t.flush());
    await save();
    io.stdout(`saved step ${t.stepCount} to ${args.out} (EMA weights)\n`);
  } finally {
    trainer?.dispose();
    unet?.dispose();
    ae.dispose();
  }
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const args = parseTrainLatentArgs(argv);
  if (args === 'help') {
    io.stdout(TRAIN_LATENT_USAGE);
    return EXIT_OK;
  }
  await trainLatent(args, argv, io);
  return EXIT_OK;
}
