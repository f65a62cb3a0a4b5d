// Strict option parsing on top of node:util parseArgs, with one-line UsageErrors.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './types';

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs(strict, no positionals) whose failures become single-line UsageErrors. */
export function parseOptions<O extends Options>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    if (err instanceof Error && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS')) {
      throw new UsageError(err.message.split('\n')[0]);
    }
    throw err;
  }
}

/**
 * A --NAME / --no-NAME pair of boolean flags (declare both as { type: 'boolean' }): the value
 * given, or `fallback` when neither is; both together is a UsageError.
 */
export function parseOnOff(
  name: string,
  on: boolean | undefined,
  off: boolean | undefined,
  fallback: boolean,
): boolean {
  if (on && off) throw new UsageError(`--${name} and --no-${name} contradict each other`);
  return on ? true : off ? false : fallback;
}

/** A positive integer flag value, strictly digits, within [min, max]. */
export function parseIntegerFlag(flag: string, raw: string, min: number, max: number): number {
  const value = /^[0-9]+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min) {
    throw new UsageError(`${flag} must be an integer >= ${min} (got ${JSON.stringify(raw)})`);
  }
  if (value > max) {
    throw new UsageError(`${flag} must be <= ${max} (got ${JSON.stringify(raw)})`);
  }
  return value;
}

/** The flag's integer (parseIntegerFlag), or `fallback` when the flag was not given. */
export function optionalInteger(
  flag: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max = 1e9,
): number {
  return raw === undefined ? fallback : parseIntegerFlag(flag, raw, min, max);
}

/** Comma-separated integers in [1, max], count.min to count.max of them (e.g. --channels 8,16). */
export function parseIntegerList(
  flag: string,
  raw: string,
  count: { min: number; max: number },
  max: number,
): number[] {
  const parts = raw.split(',');
  if (parts.length < count.min || parts.length > count.max) {
    const n = count.min === count.max ? `${count.min}` : `${count.min} to ${count.max}`;
    throw new UsageError(
      `${flag} must be ${n} comma-separated integers (got ${JSON.stringify(raw)})`,
    );
  }
  return parts.map((p) => parseIntegerFlag(flag, p.trim(), 1, max));
}

export interface NumberRange {
  /** Smallest allowed value (inclusive). */
  min?: number;
  /** Values must be strictly greater than this. */
  above?: number;
  /** Largest allowed value (inclusive). */
  max?: number;
}

/** A finite decimal number (no hex, no empty string, no "Infinity") within the range. */
export function parseNumberFlag(flag: string, raw: string, range: NumberRange = {}): number {
  const value = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isFinite(value)) {
    throw new UsageError(`${flag} must be a number (got ${JSON.stringify(raw)})`);
  }
  const { min = -Infinity, above = -Infinity, max = Infinity } = range;
  if (value < min) throw new UsageError(`${flag} must be >= ${min} (got ${JSON.stringify(raw)})`);
  if (value <= above)
    throw new UsageError(`${flag} must be > ${above} (got ${JSON.stringify(raw)})`);
  if (value > max) throw new UsageError(`${flag} must be <= ${max} (got ${JSON.stringify(raw)})`);
  return value;
}

/** The flag's number (parseNumberFlag), or `fallback` when the flag was not given. */
export function optionalNumber(
  flag: string,
  raw: string | undefined,
  fallback: number,
  range: NumberRange = {},
): number {
  return raw === undefined ? fallback : parseNumberFlag(flag, raw, range);
}

/** One of the allowed strings. */
export function parseChoice<T extends string>(flag: string, raw: string, allowed: readonly T[]): T {
  const hit = allowed.find((a) => a === raw);
  if (hit === undefined) {
    const list = allowed.map((a) => `"${a}"`).join(' or ');
    throw new UsageError(`${flag} must be ${list} (got ${JSON.stringify(raw)})`);
  }
  return hit;
}
