// `sample`: load a checkpoint, sample N images (DDPM or DDIM, optional classifier-free guidance)
// and write them as a PNG grid or a .npy array. stdout stays empty; one summary line on stderr.
import { writeFile } from 'node:fs/promises';
import { makeSchedule, type Schedule } from '../../diffusion/schedule';
import type { UNet } from '../../model/unet';
import { nodeWasmDir } from '../../engine/backends/nodeWasm';
import { initBackend } from '../../engine/backends/select';
import { createUNetFromCheckpoint, decodeCheckpoint } from '../../engine/checkpoint';
import { loadCheckpointPath } from '../../engine/checkpoint/fsStore';
import { encodeNpy, encodePngGrid, toUnitInterval } from '../../engine/imageio';
import { sampleImages } from '../../engine/sampling';
import { modelConditioning } from '../../engine/sampling/guidanceMethod';
import { parseIntegerFlag, parseOnOff, parseOptions } from '../args';
import {
  parseSamplerFlags,
  SAMPLER_FLAG_OPTIONS,
  SAMPLER_FLAGS_USAGE,
  samplerSummary,
  samplingRunOptions,
  type SamplerFlags,
} from '../samplerFlags';
import {
  CLASSIFIER_GUIDANCE_OPTIONS,
  CLASSIFIER_GUIDANCE_USAGE,
  guidingClassifierFor,
  parseClassifierGuidanceArgs,
  type ClassifierGuidanceArgs,
} from '../classifierGuidanceArgs';
import { EXIT_OK, UsageError, type CliIo } from '../types';
import { isCascadeDir } from '../../engine/cascade/fsCascade';
import { DEFAULT_NOISE_AUG_LEVEL } from '../../engine/cascade/stage';
import { sampleCascadeToFile } from '../cascadeSample';

const MAX_N = 1024;

export const SAMPLE_USAGE = `Usage: cli sample --model PATH --n N --out FILE [options]

Samples N images from a checkpoint and writes FILE:
  *.png  a grid of the images (model range [-1, 1] mapped to 0..255)
  *.npy  float32 array [N, H, W, C] with pixels in [0, 1] (x/2 + 0.5, clipped)

Options:
  --model PATH          checkpoint directory (model.json + weights.bin) or packed file, or a
                        latent diffusion folder (latent.json, autoencoder/, unet/; cli
                        train-latent): it samples latents and decodes them, x = D(ẑ₀ / scale);
                        x̂₀ clipping is then off unless --clip-x0 is given
  --n N                 number of images, 1..${MAX_N}
  --class C             label for every image, 0..K-1 (conditional models only); omitted:
                        the null label, i.e. unconditional samples
  --per-class           instead of --class: N/K images of each of the K classes, in class
                        order (a .png puts one class per row); N must be a multiple of K
  --guidance S          classifier-free guidance scale (Ho & Salimans 2022), needs --class
                        or --per-class; default 1 (plain conditional sampling)
${CLASSIFIER_GUIDANCE_USAGE}
${SAMPLER_FLAGS_USAGE}  --clip-x0 / --no-clip-x0
                        clip the predicted x̂₀ to [-1, 1] in every step (default on: pixels
                        live in [-1, 1], and early steps' wild guesses would otherwise push
                        the sample out of range); with clipping, DDIM re-derives ε from the
                        clipped x̂₀ (improved-diffusion's variant of DDIM eq. 12)
  --seed X              integer seed (default 0); same seed, same images on the same backend
  --batch B             images per forward batch (default 64; bounds memory)
  --backend wasm|cpu    tfjs backend (default wasm)
  --out FILE            output file, .png or .npy
  --aug-level X         a cascade (--model a folder with base/ and sr/, e.g. models/mnist-cascade,
                        Ho et al. 2021) samples 14×14 digits with the base model and super-resolves
                        them to 28×28; X is the SR stage's conditioning augmentation at sampling
                        time: noise, the level a in [0, 1] (s = round(a·(T−1)), default ${DEFAULT_NOISE_AUG_LEVEL});
                        blur, σ in [0, 3] low-res pixels (default 0); only for cascades
  --truncated           a cascade with a noise-augmented SR model: truncated conditioning
                        augmentation (CDM Sec. 4.2): stop the base's reverse process at the first
                        step with t <= s = round(a·(T−1)) and hand its x_t to the SR model as
                        z_t (DDPM or DDIM); default non-truncated (noise the finished sample)
  --sr aug|noaug        a cascade's SR model: the one trained with conditioning augmentation
                        (default) or the one trained without (sr-noaug/)
  -h, --help            show this help
`;

const MAX_SEED = Number.MAX_SAFE_INTEGER;

const OPTIONS = {
  model: { type: 'string' },
  n: { type: 'string' },
  class: { type: 'string' },
  'per-class': { type: 'boolean' },
  guidance: { type: 'string' },
  ...SAMPLER_FLAG_OPTIONS,
  'clip-x0': { type: 'boolean' },
  'no-clip-x0': { type: 'boolean' },
  seed: { type: 'string' },
  batch: { type: 'string' },
  backend: { type: 'string' },
  out: { type: 'string' },
  'aug-level': { type: 'string' },
  sr: { type: 'string' },
  truncated: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  ...CLASSIFIER_GUIDANCE_OPTIONS,
} as const;

export interface SampleArgs extends SamplerFlags {
  model: string;
  n: number;
  /** null: unconditional (null label), unless perClass. */
  classLabel: number | null;
  /** --per-class: every class in turn, N/K images each (pixel models only). */
  perClass: boolean;
  guidance: number;
  clipX0: boolean;
  seed: number;
  batch: number;
  backend: 'wasm' | 'cpu';
  out: string;
  format: 'png' | 'npy';
  classifierGuidance: ClassifierGuidanceArgs;
  /** --aug-level (cascades only); null: the stage's default. */
  augLevel: number | null;
  /** --sr: which SR model of a cascade. */
  sr: 'aug' | 'noaug';
  /** --truncated (cascades only). */
  truncated: boolean;
}

/** A finite decimal number (no hex, no empty string, no "Infinity"). */
function parseNumberFlag(flag: string, raw: string, min = -Infinity): number {
  const value = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isFinite(value)) {
    throw new UsageError(`${flag} must be a number (got ${JSON.stringify(raw)})`);
  }
  if (value < min) throw new UsageError(`${flag} must be >= ${min} (got ${JSON.stringify(raw)})`);
  return value;
}

function oneOf<T extends string>(flag: string, raw: string, allowed: readonly T[]): T {
  const hit = allowed.find((a) => a === raw);
  if (hit === undefined) {
    const list = allowed.map((a) => `"${a}"`).join(' or ');
    throw new UsageError(`${flag} must be ${list} (got ${JSON.stringify(raw)})`);
  }
  return hit;
}

function outputFormat(file: string): 'png' | 'npy' {
  const ext = /\.([^./\\]+)$/.exec(file)?.[1].toLowerCase();
  if (ext === 'png' || ext === 'npy') return ext;
  throw new UsageError(`--out must end in .png or .npy (got ${JSON.stringify(file)})`);
}

/** Validates everything that does not need the checkpoint. Throws UsageError. */
export function parseSampleArgs(argv: string[]): SampleArgs | 'help' {
  const v = parseOptions(argv, OPTIONS);
  if (v.help) return 'help';
  if (v.model === undefined) throw new UsageError('missing --model (a checkpoint directory)');
  if (v.n === undefined) throw new UsageError('missing --n (number of images)');
  if (v.out === undefined) throw new UsageError('missing --out (a .png or .npy file)');
  const samplerFlags = parseSamplerFlags(v);
  const classLabel = v.class === undefined ? null : parseIntegerFlag('--class', v.class, 0, 1e6);
  const perClass = v['per-class'] ?? false;
  if (perClass && classLabel !== null) {
    throw new UsageError('--per-class samples every class: give it or --class, not both');
  }
  const conditional = classLabel !== null || perClass;
  const guidance = v.guidance === undefined ? 1 : parseNumberFlag('--guidance', v.guidance);
  if (guidance !== 1 && !conditional) {
    throw new UsageError('--guidance needs --class (guidance mixes conditional and unconditional)');
  }
  const classifierGuidance = parseClassifierGuidanceArgs(v);
  const { method, classifierScales } = classifierGuidance;
  if (method !== 'classifier-free' && !conditional) {
    throw new UsageError(`--guidance-method ${method} needs --class (the class to steer towards)`);
  }
  if (method === 'classifier' && v.guidance !== undefined) {
    throw new UsageError(
      '--guidance is the classifier-free scale: use --guidance-method both to combine it with the classifier',
    );
  }
  if (classifierScales.length > 1) {
    throw new UsageError('sample takes one --classifier-scale (eval sweeps several)');
  }
  return {
    model: v.model,
    n: parseIntegerFlag('--n', v.n, 1, MAX_N),
    classLabel,
    perClass,
    guidance,
    ...samplerFlags,
    clipX0: parseOnOff('clip-x0', v['clip-x0'], v['no-clip-x0'], true),
    seed: v.seed === undefined ? 0 : parseIntegerFlag('--seed', v.seed, 0, MAX_SEED),
    batch: v.batch === undefined ? 64 : parseIntegerFlag('--batch', v.batch, 1, MAX_N),
    backend: oneOf('--backend', v.backend ?? 'wasm', ['wasm', 'cpu'] as const),
    out: v.out,
    format: outputFormat(v.out),
    classifierGuidance,
    augLevel:
      v['aug-level'] === undefined ? null : parseNumberFlag('--aug-level', v['aug-level'], 0),
    sr: oneOf('--sr', v.sr ?? 'aug', ['aug', 'noaug'] as const),
    truncated: v.truncated ?? false,
  };
}

/** Checks the arguments against the model; throws UsageError. */
export function checkAgainstModel(
  args: SampleArgs,
  numClasses: number,
  T: number,
  learnSigma = false,
): void {
  if (args.variance === 'learned' && !learnSigma) {
    throw new UsageError(
      '--variance learned needs a model trained with --learn-sigma; this one has only β and β̃',
    );
  }
  if (args.classLabel !== null && numClasses === 0) {
    throw new UsageError('--class given, but the model is unconditional (it has no classes)');
  }
  if (args.classLabel !== null && args.classLabel >= numClasses) {
    throw new UsageError(`--class must be in [0, ${numClasses - 1}] (got ${args.classLabel})`);
  }
  if (args.perClass && (numClasses === 0 || args.n % numClasses !== 0)) {
    throw new UsageError(
      numClasses === 0
        ? '--per-class given, but the model is unconditional (it has no classes)'
        : `--per-class needs --n to be a multiple of the ${numClasses} classes (got ${args.n})`,
    );
  }
  if (args.steps !== null && args.steps > T) {
    throw new UsageError(`--steps must be <= T = ${T} (got ${args.steps})`);
  }
}

function encodeOutput(args: SampleArgs, x: Float32Array, model: UNet): Uint8Array {
  const { imageSize: s, inChannels: c, numClasses } = model.config;
  if (args.format === 'npy') return encodeNpy(toUnitInterval(x), [args.n, s, s, c]);
  const cols = args.perClass ? args.n / numClasses : undefined;
  return encodePngGrid(x, args.n, s, s, c, { range: [-1, 1], cols });
}

/** The label of each image: one class for all, every class in turn (N/K each), or none. */
export function sampleLabels(args: SampleArgs, numClasses: number): number[] | null {
  if (args.perClass) {
    const per = args.n / numClasses;
    return Array.from({ length: args.n }, (_, i) => Math.floor(i / per));
  }
  return args.classLabel === null ? null : new Array<number>(args.n).fill(args.classLabel);
}

async function sampleToFile(args: SampleArgs): Promise<string> {
  const choice = await initBackend(args.backend, { wasmPaths: nodeWasmDir() });
  const raw = await loadCheckpointPath(args.model);
  const decoded = await decodeCheckpoint(raw.modelJson, raw.weights);
  const { manifest } = decoded;
  const schedule: Schedule = makeSchedule(manifest.schedule);
  checkAgainstModel(
    args,
    manifest.modelConfig.numClasses,
    schedule.T,
    manifest.modelConfig.learnSigma,
  );
  const cgArgs = args.classifierGuidance;
  const guiding = await guidingClassifierFor(cgArgs, manifest);
  const model = createUNetFromCheckpoint(decoded);
  const labels = sampleLabels(args, manifest.modelConfig.numClasses);
  const conditioning = modelConditioning(cgArgs.method, labels, args.guidance);
  const classifierScale = cgArgs.classifierScales[0] ?? 0;
  try {
    const start = performance.now();
    const x = await sampleImages(model, schedule, {
      ...samplingRunOptions(args),
      clipX0: args.clipX0,
      classes: conditioning.classes,
      guidanceScale: conditioning.guidanceScale,
      classifierGuidance:
        guiding && labels
          ? { classifier: guiding.classifier, classes: labels, scale: classifierScale }
          : undefined,
    });
    const seconds = (performance.now() - start) / 1000;
    await writeFile(args.out, encodeOutput(args, x, model));
    const { imageSize: s, inChannels: c } = model.config;
    const label = args.perClass
      ? `0..${model.config.numClasses - 1} (${args.n / model.config.numClasses} each)`
      : args.classLabel === null
        ? 'null'
        : String(args.classLabel);
    const fell = choice.fallbackReason ? ` (fallback: ${choice.fallbackReason})` : '';
    return (
      `sample: ${args.n} images ${s}x${s}x${c}, ${samplerSummary(args, schedule.T)}, class ${label}, ` +
      `${cgArgs.method === 'classifier' ? '' : `s=${args.guidance}, `}` +
      `${guiding ? `classifier scale ${classifierScale} (${cgArgs.method}), ` : ''}x̂₀ clipping ${args.clipX0 ? 'on' : 'off'}, seed ${args.seed}, ${choice.backend}${fell}: ${seconds.toFixed(2)} s, ` +
      `${(seconds / args.n).toFixed(3)} s/image -> ${args.out}`
    );
  } finally {
    model.dispose();
    guiding?.classifier.dispose();
  }
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const args = parseSampleArgs(argv);
  if (args === 'help') {
    io.stdout(SAMPLE_USAGE);
    return EXIT_OK;
  }
  if (args.perClass && isCascadeDir(args.model)) {
    throw new UsageError('--per-class is for pixel models; give a cascade one --class');
  }
  if (isCascadeDir(args.model)) {
    io.stderr(`${await sampleCascadeToFile(args)}\n`);
    return EXIT_OK;
  }
  if (args.augLevel !== null || args.sr !== 'aug' || args.truncated) {
    throw new UsageError(
      `--aug-level, --sr and --truncated are for cascades; ${args.model} is not one`,
    );
  }
  const latent = await import('../latentLoad');
  if (latent.isLatentModelDir(args.model)) {
    if (args.perClass) {
      throw new UsageError('--per-class is for pixel models; give a latent model one --class');
    }
    io.stderr(`${await (await import('./sampleLatent')).sampleLatentToFile(args, argv)}\n`);
    return EXIT_OK;
  }
  io.stderr(`${await sampleToFile(args)}\n`);
  return EXIT_OK;
}
