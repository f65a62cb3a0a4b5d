// The tfjs `weightsManifest` part of model.json: structure checks, the match against the weights
// the model config needs, and the byte layout of weights.bin it implies.
import type { UNetConfig } from '../../model/config';
import { paramSpecs } from '../../model/params';
import { CheckpointError, messageOf } from './errors';
import { JsonReader, isJsonObject, show } from './jsonReader';
import {
  WEIGHTS_FILE,
  type CheckpointManifest,
  type CheckpointWeightEntry,
  type CheckpointWeightsGroup,
  type WeightStorage,
} from './types';

function formatError(message: string): never {
  throw new CheckpointError('format', message);
}

/** "[3,3,1,16]", the form used in every shape message. */
export function shapeText(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

function readEntry(raw: unknown, where: string): CheckpointWeightEntry {
  if (!isJsonObject(raw)) formatError(`model.json ${where} must be an object, got ${show(raw)}`);
  const r = new JsonReader(raw, where);
  const name = r.string('name');
  if (name === '') r.fail('name', 'a non-empty string');
  const shape = r.intArray('shape', { min: 0 });
  const dtype = r.raw('dtype');
  if (dtype === 'float16') {
    formatError(
      `weight ${name} has dtype 'float16'; tfjs stores float16 weights as dtype 'float32' ` +
        `with quantization {"dtype": "float16"}`,
    );
  }
  if (dtype !== 'float32') {
    formatError(`weight ${name} has dtype ${show(dtype)}; checkpoints hold only float32 weights`);
  }
  const entry: CheckpointWeightEntry = { name, shape, dtype };
  if (r.has('quantization')) {
    const q = r.raw('quantization');
    if (!isJsonObject(q) || q.dtype !== 'float16' || 'min' in q || 'scale' in q) {
      formatError(
        `weight ${name} has quantization ${show(q)}; only {"dtype": "float16"} is supported`,
      );
    }
    entry.quantization = { dtype: 'float16' };
  }
  return entry;
}

/** Checks the structure: one group, paths [WEIGHTS_FILE], well-formed unique entries. */
export function readWeightsManifest(value: unknown): CheckpointWeightsGroup[] {
  if (!Array.isArray(value) || value.length !== 1 || !isJsonObject(value[0])) {
    formatError(
      `model.json field 'weightsManifest' must be a list with one group, got ${show(value)} ` +
        '(sharded weights are not supported)',
    );
  }
  const group = new JsonReader(value[0], 'weightsManifest[0]');
  const paths = group.stringArray('paths');
  if (paths.length !== 1 || paths[0] !== WEIGHTS_FILE) {
    group.fail('paths', `["${WEIGHTS_FILE}"] (sharded weights are not supported)`);
  }
  const rawEntries = group.array('weights');
  const weights = rawEntries.map((e, i) => readEntry(e, `weightsManifest[0].weights[${i}]`));
  const seen = new Set<string>();
  for (const { name } of weights) {
    if (seen.has(name)) formatError(`model.json lists weight ${name} twice`);
    seen.add(name);
  }
  return [{ paths, weights }];
}

function andMore(names: string[]): string {
  if (names.length <= 1) return '';
  const rest = names.slice(1);
  const listed = rest.slice(0, 3).join(', ') + (rest.length > 3 ? ', ...' : '');
  return ` (and ${rest.length} more: ${listed})`;
}

/** Every weight the config needs, none it does not, each of the needed shape. */
export function checkWeightsMatchConfig(
  entries: readonly CheckpointWeightEntry[],
  config: UNetConfig,
): void {
  let specs;
  try {
    specs = paramSpecs(config);
  } catch (e) {
    throw new CheckpointError('config', `checkpoint modelConfig is unusable: ${messageOf(e)}`);
  }
  checkWeightsMatchSpecs(entries, specs);
}

/** Every weight a network needs (its parameter specs), none it does not, each of its shape. */
export function checkWeightsMatchSpecs(
  entries: readonly CheckpointWeightEntry[],
  specs: readonly { name: string; shape: number[] }[],
): void {
  const needed = new Map(specs.map((s) => [s.name, s.shape]));
  const extra = entries.filter((e) => !needed.has(e.name)).map((e) => e.name);
  if (extra.length > 0) {
    throw new CheckpointError(
      'mismatch',
      `manifest lists weight ${extra[0]} that the model does not have${andMore(extra)}`,
    );
  }
  const listed = new Set(entries.map((e) => e.name));
  const missing = specs.filter((s) => !listed.has(s.name)).map((s) => s.name);
  if (missing.length > 0) {
    throw new CheckpointError(
      'mismatch',
      `missing weight ${missing[0]}: the model config needs it but the manifest does not list it` +
        andMore(missing),
    );
  }
  for (const e of entries) {
    const want = needed.get(e.name) ?? [];
    if (e.shape.length !== want.length || e.shape.some((d, i) => d !== want[i])) {
      throw new CheckpointError(
        'shape',
        `weight ${e.name} has shape ${shapeText(e.shape)} but the model config needs ${shapeText(want)}`,
      );
    }
  }
}

export function entryStorage(e: CheckpointWeightEntry): WeightStorage {
  return e.quantization?.dtype === 'float16' ? 'float16' : 'float32';
}

export function entrySize(e: CheckpointWeightEntry): number {
  return e.shape.reduce((a, b) => a * b, 1);
}

export function entryByteLength(e: CheckpointWeightEntry): number {
  return entrySize(e) * (entryStorage(e) === 'float16' ? 2 : 4);
}

export function weightEntries(
  m: Pick<CheckpointManifest, 'weightsManifest'>,
): CheckpointWeightEntry[] {
  return m.weightsManifest.flatMap((g) => g.weights);
}

/** The exact size weights.bin must have. */
export function weightsByteLength(m: Pick<CheckpointManifest, 'weightsManifest'>): number {
  return weightEntries(m).reduce((n, e) => n + entryByteLength(e), 0);
}
