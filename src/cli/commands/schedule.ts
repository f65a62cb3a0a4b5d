// `schedule`: print a noise schedule and its posterior constants as one JSON object.
// Must stay free of tfjs (imports the tf-free schedule module only), so stdout is pure JSON.
import { parseIntegerFlag, parseOptions } from '../args';
import {
  isScheduleKind,
  makeSchedule,
  MAX_T,
  type Schedule,
  type ScheduleOptions,
} from '../../diffusion/schedule';
import { EXIT_OK, UsageError, type CliIo } from '../types';

export const SCHEDULE_USAGE = `Usage: cli schedule --kind linear|cosine --T N [--scaled]

Prints one JSON object with kind, T, scaled and the float64 arrays betas, alphaBars,
alphaBarsPrev, posteriorVariance, posteriorLogVarianceClipped, posteriorMeanCoef1 and
posteriorMeanCoef2 (index i is diffusion step i+1).

Options:
  --kind linear|cosine  linear (Ho et al. 2020) or cosine (Nichol & Dhariwal 2021)
  --T N                 number of diffusion steps, an integer in [2, ${MAX_T}]
  --scaled              linear only: rescale the beta range by 1000/T (needs T > 20)
  -h, --help            show this help
`;

const OPTIONS = {
  kind: { type: 'string' },
  T: { type: 'string' },
  scaled: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Validates the command line; returns the schedule options, or 'help'. Throws UsageError. */
export function parseScheduleArgs(argv: string[]): ScheduleOptions | 'help' {
  const v = parseOptions(argv, OPTIONS);
  if (v.help) return 'help';
  if (v.kind === undefined) throw new UsageError('missing --kind (linear or cosine)');
  if (!isScheduleKind(v.kind)) {
    throw new UsageError(`--kind must be "linear" or "cosine" (got ${JSON.stringify(v.kind)})`);
  }
  if (v.T === undefined) throw new UsageError('missing --T (an integer >= 2)');
  const T = parseIntegerFlag('--T', v.T, 2, MAX_T);
  const scaled = v.scaled ?? false;
  if (scaled && v.kind !== 'linear') {
    throw new UsageError('--scaled applies only to --kind linear');
  }
  if (scaled && T <= 20) {
    throw new UsageError(`--scaled needs --T > 20 so that beta_end = 20/T < 1 (got ${T})`);
  }
  return { kind: v.kind, T, scaled };
}

/** The JSON payload: plain numbers (full float64 precision through JSON.stringify). */
export function scheduleToJson(s: Schedule) {
  const fields = [
    'betas',
    'alphaBars',
    'alphaBarsPrev',
    'posteriorVariance',
    'posteriorLogVarianceClipped',
    'posteriorMeanCoef1',
    'posteriorMeanCoef2',
  ] as const;
  const out: Record<string, unknown> = { kind: s.kind, T: s.T, scaled: s.scaled };
  for (const f of fields) {
    const arr = Array.from(s[f]);
    if (!arr.every(Number.isFinite)) throw new Error(`${f} has a non-finite value`);
    out[f] = arr;
  }
  return out;
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const opts = parseScheduleArgs(argv);
  if (opts === 'help') {
    io.stdout(SCHEDULE_USAGE);
    return EXIT_OK;
  }
  let schedule: Schedule;
  try {
    schedule = makeSchedule(opts);
  } catch (err) {
    if (err instanceof RangeError) throw new UsageError(err.message);
    throw err;
  }
  io.stdout(`${JSON.stringify(scheduleToJson(schedule))}\n`);
  return EXIT_OK;
}
