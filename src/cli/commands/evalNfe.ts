// `eval --nfe 10,20,50 [--sampler a,b]`: quality against cost. For every sampler and NFE budget
// it samples the same class-balanced images (same noise, same labels, one guidance scale) and
// prints the judge's accuracy and the Fréchet distance (engine/evaluation/evaluateSamplers.ts).
import { writeFile } from 'node:fs/promises';
import type { Schedule } from '../../diffusion/schedule';
import {
  DEFAULT_NFE_BUDGETS,
  evaluateSamplers,
  NFE_SAMPLERS,
  type NfeResult,
  type NfeSampler,
} from '../../engine/evaluation';
import type { Judge } from '../../engine/judge/load';
import type { EpsModel } from '../../engine/sampling/eps';
import { parseChoice, parseIntegerFlag } from '../args';
import { commandLine, gitCommit, machine } from '../provenance';
import { UsageError, type CliIo } from '../types';

export const EVAL_NFE_USAGE = `  --nfe N[,N..]       quality against cost instead: for each sampler of --sampler (a
                      comma list; default ${NFE_SAMPLERS.join(',')}) and each budget of
                      network evaluations (e.g. ${DEFAULT_NFE_BUDGETS.join(',')}), the judge's accuracy and
                      FD at one --guidance scale (default 3), same noise and labels for all;
                      --steps and --eta are then set by the budget (DDIM: η = 0)
`;

const MAX_NFE = 10_000;

export interface NfeFlags {
  samplers: NfeSampler[];
  budgets: number[];
  guidanceScale: number;
}

interface RawNfeFlags {
  nfe?: string;
  sampler?: string;
  steps?: string;
  eta?: string;
  guidance?: string[];
}

export function parseNfeFlags(v: RawNfeFlags, scales: readonly number[]): NfeFlags {
  if (v.steps !== undefined || v.eta !== undefined) {
    throw new UsageError('--steps and --eta cannot be combined with --nfe (the budget sets them)');
  }
  const budgets = (v.nfe ?? '')
    .split(',')
    .map((b) => parseIntegerFlag('--nfe', b.trim(), 1, MAX_NFE));
  const samplers =
    v.sampler === undefined
      ? [...NFE_SAMPLERS]
      : v.sampler.split(',').map((s) => parseChoice('--sampler', s.trim(), NFE_SAMPLERS));
  if (v.guidance !== undefined && scales.length !== 1) {
    throw new UsageError('--nfe takes one --guidance scale (the same for every sampler)');
  }
  return { samplers, budgets, guidanceScale: v.guidance === undefined ? 3 : scales[0] };
}

export const NFE_TABLE_HEADER = `${'sampler'.padEnd(18)}  ${'NFE'.padStart(5)}  ${'steps'.padStart(5)}  ${'accuracy'.padStart(8)}  ${'FD'.padStart(9)}  ${'s/image'.padStart(8)}\n`;

export function nfeRow(r: NfeResult): string {
  return (
    `${r.sampler.padEnd(18)}  ${String(r.nfe).padStart(5)}  ${String(r.steps).padStart(5)}  ` +
    `${`${(100 * r.accuracy).toFixed(1)}%`.padStart(8)}  ${r.frechetDistance.toFixed(3).padStart(9)}  ` +
    `${r.secondsPerImage.toFixed(4).padStart(8)}\n`
  );
}

interface Target {
  unet: EpsModel;
  schedule: Schedule;
  judge: Judge;
  manifest: { dataset: string; trainingSteps: number };
}

interface Settings {
  model: string;
  judge: string;
  n: number;
  clipX0: boolean;
  seed: number;
  batch: number;
  snr: number;
  langevinSteps: number;
  json: string | null;
}

export async function runNfeTable(
  args: Settings,
  flags: NfeFlags,
  target: Target,
  backend: string,
  argv: string[],
  io: CliIo,
): Promise<void> {
  const { unet, schedule, judge, manifest } = target;
  io.stderr(
    `eval --nfe: ${args.model} (${manifest.dataset}, ${manifest.trainingSteps} steps), judge ${args.judge}; ` +
      `${args.n} images per (sampler, NFE), s=${flags.guidanceScale}, x̂₀ clipping ${args.clipX0 ? 'on' : 'off'}, ` +
      `seed ${args.seed}, ${backend}\n`,
  );
  io.stdout(NFE_TABLE_HEADER);
  const results = await evaluateSamplers({
    unet,
    schedule,
    judge: judge.classifier,
    reference: judge.reference,
    samplers: flags.samplers,
    budgets: flags.budgets,
    samples: args.n,
    guidanceScale: flags.guidanceScale,
    clipX0: args.clipX0,
    seed: args.seed,
    batch: args.batch,
    snr: args.snr,
    langevinSteps: args.langevinSteps,
    onResult: (r) => void io.stdout(nfeRow(r)),
  });
  if (args.json !== null) {
    const out = {
      model: args.model,
      judge: args.judge,
      guidanceScale: flags.guidanceScale,
      samples: args.n,
      seed: args.seed,
      clipX0: args.clipX0,
      results,
      createdAt: new Date().toISOString(),
      command: commandLine('eval', argv),
      gitCommit: gitCommit(),
      machine: machine(backend),
    };
    await writeFile(args.json, `${JSON.stringify(out, null, 2)}\n`);
    io.stderr(`wrote ${args.json}\n`);
  }
}
