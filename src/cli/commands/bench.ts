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
// Each measurement comes after --warmup untimed steps (and forward passes); passes and steps are
// timed alternately, so a slow minute on a shared machine slows both alike (after each step one
// untimed pass first re-packs the new weights: forwardMs is a pass on fixed weights, as in
// sampling). The data are random
// bytes of the data set's shape: timing does not depend on the pixel values.
import { DATASETS, PRESET_NAMES } from '../../model/presets';
import {
  benchPreset,
  parseBenchPreset,
  type BenchPreset,
  type BenchSettings,
} from '../../engine/bench/trainStep';
import { nodeWasmDir } from '../../engine/backends/nodeWasm';
import { provideNodeWebGpu } from '../../engine/backends/nodeWebgpu';
import { initBackend } from '../../engine/backends/select';
import { parseIntegerFlag, parseOptions } from '../args';
import { benchPytorch } from './benchPytorch';
import { EXIT_OK, UsageError, type CliIo } from '../types';

export const BENCH_BACKENDS = ['wasm', 'cpu', 'webgpu', 'pytorch'] as const;
export type BenchBackend = (typeof BENCH_BACKENDS)[number];

export const BENCH_USAGE = `Usage: cli bench [options]      (npm run -s bench -- [options])

Times a real training step (loss, gradients, clipping, Adam, EMA) and a forward pass of a DDPM
U-Net preset, after a warm-up, and prints one JSON object per backend and preset:
  {"backend","preset","batch","trainStepMs","forwardMs","flopsPerImage","trainGflops",
   "tensorsBefore","tensorsAfter"}
trainStepMs: median over --steps steps, each timed until its loss is read back to the host.
forwardMs: median over --steps passes of unet.apply, each timed until its output is read back.
Passes and steps alternate (pass, step, pass, ...), so trainStepMs / forwardMs is a ratio
measured in one stretch of time even on a shared machine; after each step one untimed pass
takes the cost of the changed weights (XNNPACK re-packs them), so forwardMs is on fixed weights.
trainGflops = 3 x flopsPerImage x batch / trainStepMs (GFLOP/s), a multiply-add counting as 2.

Options:
  --backend LIST         wasm, cpu, webgpu: repeat the flag or give a comma list (default wasm).
                         webgpu uses Node's WebGPU bindings (npm package webgpu, not installed
                         by default; the error says how). pytorch runs the same preset and
                         step in PyTorch on one CPU thread (scripts/bench/pytorch_unet.py; needs
                         python3 and torch: apt-get install -y python3-torch; presets
                         mnist/tiny, mnist/small, cifar10/small), for GFLOP/s on the same core
                         in the same run. A backend that cannot start here is reported on stderr
                         and the others still run.
  --preset LIST          dataset/preset pairs, comma list or repeated (default mnist/small);
                         datasets ${DATASETS.join(', ')}; presets ${PRESET_NAMES.join(', ')}
  --batch N              images per step (default 64)
  --steps N              timed steps and forward passes (default 5)
  --warmup N             untimed steps and forward passes first (default 2)
  --profile              add "profile": one forward pass and one step under tf.profile, the
                         time and calls per kernel (top 30), wall and kernel totals, and on
                         webgpu the dispatches of each pass
  -h, --help             show this help
On wasm each row also says "threads" (one in Node) and "simdKernels" (whether GroupNorm and small
batched matMuls ran as this project's wasm SIMD kernels); on webgpu "dispatchesPerStep" and
"dispatchesPerForward" (compute dispatches recorded per training step and per forward pass).
`;

const OPTIONS = {
  backend: { type: 'string', multiple: true },
  preset: { type: 'string', multiple: true },
  batch: { type: 'string' },
  steps: { type: 'string' },
  warmup: { type: 'string' },
  profile: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface BenchArgs extends BenchSettings {
  backends: BenchBackend[];
  presets: BenchPreset[];
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
  const preset = parseBenchPreset(raw);
  if (!preset) {
    throw new UsageError(
      `--preset must be dataset/preset with dataset in ${DATASETS.join('|')} and preset in ` +
        `${PRESET_NAMES.join('|')} (got ${JSON.stringify(raw)})`,
    );
  }
  return preset;
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
    profile: v.profile === true,
  };
}

/** Starts the backend; resolves to null when it runs, else to why it cannot start here. */
async function useBackend(backend: Exclude<BenchBackend, 'pytorch'>): Promise<string | null> {
  if (backend === 'webgpu') {
    const missing = await provideNodeWebGpu();
    if (missing !== null) return missing;
  }
  const choice = await initBackend(backend, { wasmPaths: nodeWasmDir() });
  if (choice.backend !== backend) return choice.fallbackReason ?? 'unknown';
  return null;
}

/** The PyTorch rows; false (and why, on stderr) when PyTorch cannot run a preset here. */
async function runPytorch(args: BenchArgs, io: CliIo): Promise<boolean> {
  for (const preset of args.presets) {
    try {
      io.stdout(`${JSON.stringify(await benchPytorch(preset, args))}\n`);
    } catch (e) {
      io.stderr(`bench: the pytorch backend is unavailable: ${(e as Error).message}\n`);
      return false;
    }
  }
  return true;
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const args = parseBenchArgs(argv);
  if (args === 'help') {
    io.stdout(BENCH_USAGE);
    return EXIT_OK;
  }
  const unavailable: string[] = [];
  for (const backend of args.backends) {
    if (backend === 'pytorch') {
      if (!(await runPytorch(args, io))) unavailable.push(backend);
      continue;
    }
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
