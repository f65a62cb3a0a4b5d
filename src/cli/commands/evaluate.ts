// `eval`: how sample quality changes with classifier-free guidance. Loads a class-conditional
// checkpoint and the judge of its data set (MNIST or CIFAR-10), draws --n class-balanced DDIM samples per guidance scale and
// prints, per scale, the judge's accuracy on them, the Fréchet distance of their judge features
// to the real test set's, their within-class diversity relative to real images, and the time
// per image. Optionally writes everything as JSON.
import { writeFile } from 'node:fs/promises';
import { makeSchedule } from '../../diffusion/schedule';
import { nodeWasmDir } from '../../engine/backends/nodeWasm';
import { initBackend } from '../../engine/backends/select';
import { createUNetFromCheckpoint, decodeCheckpoint } from '../../engine/checkpoint';
import { loadCheckpointPath } from '../../engine/checkpoint/fsStore';
import {
  DEFAULT_EVALUATION_BATCH,
  DEFAULT_GUIDANCE_SCALES,
  DEFAULT_SAMPLES_PER_SCALE,
  evaluateGuidance,
  type GuidanceEvaluation,
  type ScaleResult,
} from '../../engine/evaluation';
import { loadJudgeDir } from '../../engine/judge/fsStore';
import { loadJudge, type Judge } from '../../engine/judge/load';
import { DEFAULT_DDIM_STEPS } from '../../engine/sampling/options';
import { parseChoice, parseIntegerFlag, parseNumberFlag, parseOnOff, parseOptions } from '../args';
import {
  parseSamplerFlags,
  SAMPLER_FLAG_OPTIONS,
  SAMPLER_FLAGS_USAGE,
  samplerSummary,
  type SamplerFlags,
} from '../samplerFlags';
import { EVAL_NFE_USAGE, parseNfeFlags, runNfeTable, type NfeFlags } from './evalNfe';
import { runSideBySide } from './evalSideBySide';
import {
  CLASSIFIER_GUIDANCE_OPTIONS,
  guidingClassifierFor,
  parseClassifierGuidanceArgs,
  type ClassifierGuidanceArgs,
} from '../classifierGuidanceArgs';
import { DEFAULT_CIFAR10_JUDGE_DIR, DEFAULT_JUDGE_DIR } from '../paths';
import { commandLine, gitCommit, machine } from '../provenance';
import { EXIT_OK, UsageError, type CliIo } from '../types';
import { isCascadeDir } from '../../engine/cascade/fsCascade';
import { evaluateCascadeCli } from '../cascadeEval';

const MAX_N = 100_000;
export const DEFAULT_CLASSIFIER_SCALES: readonly number[] = [0, 1, 2, 4, 8];

export const EVAL_USAGE = `Usage: cli eval --model PATH [options]

Samples --n class-balanced images (class i mod 10) per guidance scale with DDIM and scores them
with the judge of the model's data set (npm run cli -- train-classifier --dataset mnist|cifar10).
Prints one row per scale:
  accuracy   how often the judge sees the class that was asked for
  FD         Fréchet distance of judge features to the real test set (FID's formula with the
             judge in place of Inception-v3; lower is closer to the data; depends on --n)
  diversity  within-class mean pairwise feature distance over the real data's (1 = as diverse)
Guidance: ε̃ = ε_u + s·(ε_c − ε_u): s = 0 unconditional, s = 1 conditional without guidance.
Every scale uses the same noise and labels.

Options:
  --model PATH        class-conditional checkpoint directory (model.json + weights.bin) or file,
                      or a latent diffusion folder (cli train-latent): its samples are decoded,
                      x = D(ẑ₀ / scale), before the judge sees them; x̂₀ clipping is then off
                      unless --clip-x0 is given
  --judge DIR         judge directory (default <repo>/models/<the model's dataset>-classifier:
                      mnist-classifier or cifar10-classifier)
  --guidance S[,S..]  scales, repeatable or comma-separated (default ${DEFAULT_GUIDANCE_SCALES.join(',')})
  --n N               images per scale, >= 2 per class (default ${DEFAULT_SAMPLES_PER_SCALE})
${SAMPLER_FLAGS_USAGE}${EVAL_NFE_USAGE}  --clip-x0 / --no-clip-x0
                      clip the predicted x̂₀ to [-1, 1] in every step (default on: pixels
                      live in [-1, 1], and early steps' wild guesses would otherwise push the
                      sample out of range); with clipping, DDIM re-derives ε from the clipped
                      x̂₀ (improved-diffusion's variant of DDIM eq. 12)
  --seed S            integer seed of the noise (default 0)
  --batch B           images per sampling batch (default ${DEFAULT_EVALUATION_BATCH})
  --backend wasm|cpu  tfjs backend (default wasm)
  --guidance-method cfg|classifier|both|combined
                      cfg (or classifier-free; the default): sweep --guidance. classifier:
                      sweep --classifier-scale with the model on its null class, steered by the
                      noise-aware classifier (Dhariwal & Nichol 2021, DDIM: ε' = ε − √(1−ᾱ_t)·s·g).
                      both: the two side by side in one run, as the trade-off view's "both":
                      --guidance (default ${DEFAULT_GUIDANCE_SCALES.join(',')}) then --classifier-scale, the same
                      noise and classes for both curves; one table per method.
                      combined: sweep --classifier-scale on top of the one classifier-free
                      --guidance S (sample's --guidance-method both)
  --classifier DIR    noise-aware classifier (cli train-noisy-classifier), for classifier,
                      both and combined
  --classifier-scale S[,S..]
                      classifier scales >= 0 (default ${DEFAULT_CLASSIFIER_SCALES.join(',')})
  --json FILE         also write the results (and settings, per-class numbers) as JSON
  --aug-level X       a cascade (--model models/mnist-cascade: base/, sr/, sr-noaug/; Ho et al.
                      2021) is scored three ways from the same 14×14 base samples: upsampled,
                      super-resolved by sr/ at this sampling augmentation level (noise a in
                      [0, 1], default 0.1; blur σ in [0, 3], default 0) and by sr-noaug/
  -h, --help          show this help
`;

const OPTIONS = {
  model: { type: 'string' },
  judge: { type: 'string' },
  guidance: { type: 'string', multiple: true },
  n: { type: 'string' },
  ...SAMPLER_FLAG_OPTIONS,
  nfe: { type: 'string' },
  'clip-x0': { type: 'boolean' },
  'no-clip-x0': { type: 'boolean' },
  seed: { type: 'string' },
  batch: { type: 'string' },
  backend: { type: 'string' },
  json: { type: 'string' },
  'aug-level': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  ...CLASSIFIER_GUIDANCE_OPTIONS,
} as const;

export interface EvalArgs extends SamplerFlags {
  model: string;
  /** null: the judge of the model's data set (judgeDirFor). */
  judge: string | null;
  scales: number[];
  n: number;
  /** `--nfe`: the quality-against-cost table instead of the guidance table. */
  nfeTable: NfeFlags | null;
  clipX0: boolean;
  seed: number;
  batch: number;
  backend: 'wasm' | 'cpu';
  json: string | null;
  classifierGuidance: ClassifierGuidanceArgs;
  /** The classifier-free scale held fixed under --guidance-method combined. */
  cfgScale: number;
  /** --guidance-method both: `scales` (classifier-free) and the classifier scales side by side. */
  sideBySide: boolean;
  /** --aug-level, cascades only; null: the SR stage's default. */
  augLevel: number | null;
}

/** eval's --guidance-method names → the sampling method, and whether the run is side by side. */
const EVAL_GUIDANCE_METHODS = ['cfg', 'classifier-free', 'classifier', 'both', 'combined'] as const;

function parseScales(values: readonly string[] | undefined): number[] {
  if (values === undefined) return [...DEFAULT_GUIDANCE_SCALES];
  return values.flatMap((v) =>
    v.split(',').map((part) => parseNumberFlag('--guidance', part.trim())),
  );
}

/** Validates everything that does not need the model or the judge. Throws UsageError. */
export function parseEvalArgs(argv: string[]): EvalArgs | 'help' {
  const v = parseOptions(argv, OPTIONS);
  if (v.help) return 'help';
  if (v.model === undefined) throw new UsageError('missing --model (a checkpoint directory)');
  const evalMethod = parseChoice(
    '--guidance-method',
    v['guidance-method'] ?? 'cfg',
    EVAL_GUIDANCE_METHODS,
  );
  const sideBySide = evalMethod === 'both';
  const sampling =
    evalMethod === 'cfg' ? 'classifier-free' : evalMethod === 'combined' ? 'both' : evalMethod;
  if (sideBySide && v.classifier === undefined) {
    throw new UsageError(
      '--guidance-method both needs --classifier DIR (a noise-aware classifier, cli train-noisy-classifier)',
    );
  }
  // Side by side, the classifier half is checked like --guidance-method classifier.
  const cg = parseClassifierGuidanceArgs({
    ...v,
    'guidance-method': sideBySide ? 'classifier' : sampling,
  });
  if (cg.method !== 'classifier-free' && v['classifier-scale'] === undefined) {
    cg.classifierScales = [...DEFAULT_CLASSIFIER_SCALES];
  }
  let cfgScale = 1;
  if (cg.method === 'classifier' && !sideBySide && v.guidance !== undefined) {
    throw new UsageError(
      '--guidance is the classifier-free scale: with --guidance-method classifier the model runs on its null class (use both for the two side by side, combined for both at once)',
    );
  }
  if (cg.method === 'both') {
    const cfg = parseScales(v.guidance);
    if (v.guidance === undefined || cfg.length !== 1) {
      throw new UsageError(
        '--guidance-method combined needs exactly one --guidance S (held fixed)',
      );
    }
    cfgScale = cfg[0];
  }
  const scales =
    cg.method === 'classifier-free' || sideBySide ? parseScales(v.guidance) : cg.classifierScales;
  if (v.nfe !== undefined && cg.method !== 'classifier-free') {
    throw new UsageError('--nfe compares samplers under classifier-free guidance only');
  }
  const nfeTable = v.nfe === undefined ? null : parseNfeFlags(v, scales);
  return {
    model: v.model,
    judge: v.judge ?? null,
    scales,
    classifierGuidance: cg,
    cfgScale,
    sideBySide,
    n: v.n === undefined ? DEFAULT_SAMPLES_PER_SCALE : parseIntegerFlag('--n', v.n, 2, MAX_N),
    ...parseSamplerFlags(v, nfeTable !== null),
    nfeTable,
    clipX0: parseOnOff('clip-x0', v['clip-x0'], v['no-clip-x0'], true),
    seed: v.seed === undefined ? 0 : parseIntegerFlag('--seed', v.seed, 0, Number.MAX_SAFE_INTEGER),
    batch:
      v.batch === undefined
        ? DEFAULT_EVALUATION_BATCH
        : parseIntegerFlag('--batch', v.batch, 1, 4096),
    backend: parseChoice('--backend', v.backend ?? 'wasm', ['wasm', 'cpu'] as const),
    json: v.json ?? null,
    augLevel: v['aug-level'] === undefined ? null : parseNumberFlag('--aug-level', v['aug-level']),
  };
}

export const pct = (v: number | null) => (v === null ? '-' : `${(100 * v).toFixed(1)}%`);

export const TABLE_HEADER = `${'s'.padStart(6)}  ${'accuracy'.padStart(8)}  ${'FD'.padStart(9)}  ${'diversity'.padStart(9)}  ${'s/image'.padStart(8)}\n`;

export function tableRow(r: ScaleResult): string {
  const div = r.diversity.mean === null ? '-' : r.diversity.mean.toFixed(3);
  return (
    `${String(r.guidanceScale).padStart(6)}  ${pct(r.accuracy.overall).padStart(8)}  ` +
    `${r.frechetDistance.toFixed(3).padStart(9)}  ${div.padStart(9)}  ` +
    `${r.secondsPerImage.toFixed(4).padStart(8)}\n`
  );
}

/** The result without the kept images, for JSON. */
/** The sweep's settings from the flags, the same for a pixel-space and a latent model. */
export function sweepOptions(args: EvalArgs, steps: number, clipX0: boolean, io: CliIo) {
  return {
    scales: args.scales,
    samplesPerScale: args.n,
    sampler: args.sampler,
    ...(args.variance !== null ? { variance: args.variance } : {}),
    steps,
    eta: args.eta,
    snr: args.snr,
    langevinSteps: args.langevinSteps,
    clipX0,
    seed: args.seed,
    batch: args.batch,
    onScale: (r: ScaleResult) => void io.stdout(tableRow(r)),
  };
}

export function jsonResult(r: ScaleResult) {
  const { images: _images, labels: _labels, ...rest } = r;
  return rest;
}

export function checkAgainstModel(
  args: EvalArgs & { judge: string },
  model: { dataset: string; T: number; numClasses: number; learnSigma: boolean },
  judge: Judge,
): void {
  const k = judge.classifier.config.numClasses;
  const { dataset, T, numClasses } = model;
  if (dataset !== judge.manifest.dataset) {
    throw new UsageError(
      `--model is a ${dataset} model but the judge scores ${judge.manifest.dataset} images`,
    );
  }
  if (numClasses !== k) {
    throw new UsageError(
      `--model has ${numClasses} classes but the judge ${k}: eval needs a class-conditional ${judge.manifest.dataset} model`,
    );
  }
  if (args.steps !== null && args.steps > T) {
    throw new UsageError(`--steps must be <= T = ${T} (got ${args.steps})`);
  }
  if (args.variance === 'learned' && !model.learnSigma) {
    throw new UsageError(
      '--variance learned needs a model trained with --learn-sigma; this one has only β and β̃',
    );
  }
  if (args.n < 2 * k) {
    throw new UsageError(`--n must be >= ${2 * k} (two images per class; got ${args.n})`);
  }
}

/** The shipped judge of a data set's images. */
export function judgeDirFor(dataset: string): string {
  if (dataset === 'mnist') return DEFAULT_JUDGE_DIR;
  if (dataset === 'cifar10') return DEFAULT_CIFAR10_JUDGE_DIR;
  throw new UsageError(`no judge for ${dataset} images: pass --judge DIR`);
}

async function evaluate(parsed: EvalArgs, argv: string[], io: CliIo): Promise<void> {
  const choice = await initBackend(parsed.backend, { wasmPaths: nodeWasmDir() });
  const raw = await loadCheckpointPath(parsed.model);
  const decoded = await decodeCheckpoint(raw.modelJson, raw.weights);
  const { manifest } = decoded;
  const args = { ...parsed, judge: parsed.judge ?? judgeDirFor(manifest.dataset) };
  const schedule = makeSchedule(manifest.schedule);
  const judge = loadJudge(await loadJudgeDir(args.judge));
  const cgArgs = args.classifierGuidance;
  const guiding = await guidingClassifierFor(cgArgs, manifest).catch((e: unknown) => {
    judge.classifier.dispose();
    throw e;
  });
  try {
    checkAgainstModel(
      args,
      {
        dataset: manifest.dataset,
        T: schedule.T,
        numClasses: manifest.modelConfig.numClasses,
        learnSigma: manifest.modelConfig.learnSigma === true,
      },
      judge,
    );
    const unet = createUNetFromCheckpoint(decoded);
    try {
      if (args.nfeTable !== null) {
        const target = { unet, schedule, judge, manifest };
        await runNfeTable(args, args.nfeTable, target, choice.backend, argv, io);
        return;
      }
      const steps =
        args.steps ??
        (args.sampler === 'ddpm' ? schedule.T : Math.min(DEFAULT_DDIM_STEPS, schedule.T));
      const acc = judge.manifest.testAccuracy;
      io.stderr(
        `eval: ${args.model} (${manifest.dataset}, ${manifest.trainingSteps} steps), judge ${args.judge}` +
          `${acc ? ` (test accuracy ${pct(acc.overall)})` : ''}; ${args.n} images per scale, ` +
          `${samplerSummary(args, schedule.T)}, x̂₀ clipping ${args.clipX0 ? 'on' : 'off'}, ` +
          `seed ${args.seed}, ${choice.backend}` +
          (guiding && args.sideBySide
            ? `; classifier-free and classifier guidance side by side (classifier ${cgArgs.classifier}), the same noise and classes`
            : guiding
              ? `; guidance ${cgArgs.method === 'both' ? `combined at s=${args.cfgScale}` : cgArgs.method}, ` +
                `classifier ${cgArgs.classifier}: the first column is the classifier scale`
              : '') +
          '\n',
      );
      if (args.sideBySide && guiding) {
        const provenance = {
          model: args.model,
          modelDataset: manifest.dataset,
          modelTrainingSteps: manifest.trainingSteps,
          judge: args.judge,
          judgeWeightsCrc32: judge.manifest.weightsCrc32,
          judgeTestAccuracy: judge.manifest.testAccuracy?.overall,
          classifier: cgArgs.classifier,
          classifierWeightsCrc32: guiding.manifest.weightsCrc32,
        };
        await runSideBySide(
          args,
          { unet, schedule, judge, classifier: guiding.classifier, steps, provenance },
          { header: TABLE_HEADER, row: tableRow },
          choice.backend,
          argv,
          io,
        );
        return;
      }
      io.stdout(TABLE_HEADER);
      const result: GuidanceEvaluation = await evaluateGuidance({
        unet,
        schedule,
        judge: judge.classifier,
        reference: judge.reference,
        ...sweepOptions(args, steps, args.clipX0, io),
        guidanceMethod: cgArgs.method,
        classifier: guiding?.classifier,
        cfgScale: args.cfgScale,
      });
      if (args.json !== null) {
        const out = {
          model: args.model,
          modelDataset: manifest.dataset,
          modelTrainingSteps: manifest.trainingSteps,
          judge: args.judge,
          judgeWeightsCrc32: judge.manifest.weightsCrc32,
          judgeTestAccuracy: judge.manifest.testAccuracy?.overall,
          classifier: cgArgs.classifier,
          classifierWeightsCrc32: guiding?.manifest.weightsCrc32,
          ...result,
          results: result.results.map(jsonResult),
          createdAt: new Date().toISOString(),
          command: commandLine('eval', argv),
          gitCommit: gitCommit(),
          machine: machine(choice.backend),
        };
        await writeFile(args.json, `${JSON.stringify(out, null, 2)}\n`);
        io.stderr(`wrote ${args.json}\n`);
      }
    } finally {
      unet.dispose();
    }
  } finally {
    judge.classifier.dispose();
    guiding?.classifier.dispose();
  }
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const args = parseEvalArgs(argv);
  if (args === 'help') {
    io.stdout(EVAL_USAGE);
    return EXIT_OK;
  }
  if (isCascadeDir(args.model)) {
    await evaluateCascadeCli(args, argv, io);
    return EXIT_OK;
  }
  if (args.augLevel !== null) {
    throw new UsageError(`--aug-level is for cascades; ${args.model} is not one`);
  }
  if ((await import('../latentLoad')).isLatentModelDir(args.model)) {
    await (await import('./evaluateLatent')).evaluateLatent(args, argv, io);
    return EXIT_OK;
  }
  await evaluate(args, argv, io);
  return EXIT_OK;
}
