// Typed reads of untrusted JSON that fail with a CheckpointError naming the field, so that every
// problem in a hand-edited or damaged model.json is reported as "field X must be ..., got ...".
import { CheckpointError } from './errors';

export type JsonObject = Record<string, unknown>;

export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A short rendering of a bad value for error messages. */
export function show(v: unknown): string {
  if (v === undefined) return 'undefined';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

export interface IntRange {
  min?: number;
  max?: number;
}

export class JsonReader {
  constructor(
    readonly obj: JsonObject,
    /** Dotted path of obj inside model.json, '' for the root. */
    readonly prefix = '',
  ) {}

  path(key: string): string {
    return this.prefix ? `${this.prefix}.${key}` : key;
  }

  has(key: string): boolean {
    return this.obj[key] !== undefined;
  }

  fail(key: string, expected: string): never {
    throw new CheckpointError(
      'format',
      `model.json field '${this.path(key)}' must be ${expected}, got ${show(this.obj[key])}`,
    );
  }

  raw(key: string): unknown {
    if (!this.has(key)) {
      throw new CheckpointError('format', `model.json is missing field '${this.path(key)}'`);
    }
    return this.obj[key];
  }

  string(key: string): string {
    const v = this.raw(key);
    return typeof v === 'string' ? v : this.fail(key, 'a string');
  }

  boolean(key: string): boolean {
    const v = this.raw(key);
    return typeof v === 'boolean' ? v : this.fail(key, 'true or false');
  }

  /** A finite number in [min, max]. */
  number(key: string, min = -Infinity, max = Infinity): number {
    const v = this.raw(key);
    if (typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max) return v;
    return this.fail(key, `a number${rangeText(min, max)}`);
  }

  int(key: string, { min = -Infinity, max = Infinity }: IntRange = {}): number {
    const v = this.raw(key);
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max) return v;
    return this.fail(key, `an integer${rangeText(min, max)}`);
  }

  intArray(key: string, range: IntRange = {}): number[] {
    const v = this.raw(key);
    const { min = -Infinity, max = Infinity } = range;
    const ok = (x: unknown) =>
      typeof x === 'number' && Number.isSafeInteger(x) && x >= min && x <= max;
    if (Array.isArray(v) && v.every(ok)) return [...(v as number[])];
    return this.fail(key, `an array of integers${rangeText(min, max)}`);
  }

  stringArray(key: string): string[] {
    const v = this.raw(key);
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return [...(v as string[])];
    return this.fail(key, 'an array of strings');
  }

  array(key: string): unknown[] {
    const v = this.raw(key);
    return Array.isArray(v) ? v : this.fail(key, 'an array');
  }

  object(key: string): JsonReader {
    const v = this.raw(key);
    return isJsonObject(v) ? new JsonReader(v, this.path(key)) : this.fail(key, 'an object');
  }

  /** Reads key with `read` when present; undefined when absent. */
  optional<T>(key: string, read: (key: string) => T): T | undefined {
    return this.has(key) ? read(key) : undefined;
  }
}

function rangeText(min: number, max: number): string {
  if (min > -Infinity && max < Infinity) return ` in [${min}, ${max}]`;
  if (min > -Infinity) return ` >= ${min}`;
  if (max < Infinity) return ` <= ${max}`;
  return '';
}
