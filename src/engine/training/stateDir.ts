// Node only (CLI --resume): the full training state in a directory next to the checkpoint,
//   <dir>/state.json   counters, the caller's run description, and a tensor index
//   <dir>/tensors.bin  every tensor's float32 values, little-endian, concatenated in index order
// A save is written to <dir>.tmp and swapped in with renames, so an interrupted save leaves the
// previous state intact (<dir>.old is read if the swap was cut between its two renames).
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import type { TrainState, TrainStateTensor } from './state';

export const TRAIN_STATE_FORMAT = 'diffusion-playground-train-state';
export const TRAIN_STATE_VERSION = 1;

interface IndexEntry {
  name: string;
  shape: number[];
  /** Offset into tensors.bin, in float32 elements. */
  offset: number;
  length: number;
}

interface StateJson {
  format: typeof TRAIN_STATE_FORMAT;
  version: typeof TRAIN_STATE_VERSION;
  step: number;
  adamUpdates: number;
  emaUpdates: number;
  /** Whatever the caller needs to rebuild the run (model config, data set, options...). */
  run: unknown;
  tensors: IndexEntry[];
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

export async function saveTrainStateDir(
  dir: string,
  state: TrainState,
  run: unknown,
): Promise<void> {
  const tmp = `${dir}.tmp`;
  const old = `${dir}.old`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  const index: IndexEntry[] = [];
  let offset = 0;
  for (const t of state.tensors) {
    index.push({ name: t.name, shape: t.shape, offset, length: t.values.length });
    offset += t.values.length;
  }
  const all = new Float32Array(offset);
  state.tensors.forEach((t, i) => all.set(t.values, index[i].offset));
  const json: StateJson = {
    format: TRAIN_STATE_FORMAT,
    version: TRAIN_STATE_VERSION,
    step: state.step,
    adamUpdates: state.adamUpdates,
    emaUpdates: state.emaUpdates,
    run,
    tensors: index,
  };
  await writeFile(`${tmp}/tensors.bin`, new Uint8Array(all.buffer));
  await writeFile(`${tmp}/state.json`, `${JSON.stringify(json, null, 1)}\n`);
  await rm(old, { recursive: true, force: true });
  if (await exists(dir)) await rename(dir, old);
  await rename(tmp, dir);
  await rm(old, { recursive: true, force: true });
}

function fail(dir: string, why: string): never {
  throw new Error(`cannot resume from ${dir}: ${why}`);
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function parseIndex(dir: string, raw: unknown, floats: number): IndexEntry[] {
  if (!Array.isArray(raw)) fail(dir, 'state.json has no tensor index');
  return raw.map((e: unknown) => {
    const r = e as Partial<IndexEntry> | null;
    const ok =
      r !== null &&
      typeof r.name === 'string' &&
      Array.isArray(r.shape) &&
      r.shape.every(isCount) &&
      isCount(r.offset) &&
      isCount(r.length) &&
      r.offset + r.length <= floats &&
      r.shape.reduce((a, b) => a * b, 1) === r.length;
    if (!ok) fail(dir, `state.json has a bad tensor entry ${JSON.stringify(e).slice(0, 80)}`);
    return r as IndexEntry;
  });
}

/** Reads a state saved by saveTrainStateDir; throws a one-line Error when missing or corrupt. */
export async function loadTrainStateDir(dir: string): Promise<{ state: TrainState; run: unknown }> {
  const from = (await exists(dir)) ? dir : (await exists(`${dir}.old`)) ? `${dir}.old` : null;
  if (from === null) fail(dir, 'no saved training state (was the run started with this --out?)');
  let json: Partial<StateJson>;
  let bytes: Uint8Array;
  try {
    json = JSON.parse(await readFile(`${from}/state.json`, 'utf8')) as Partial<StateJson>;
    bytes = await readFile(`${from}/tensors.bin`);
  } catch (e) {
    fail(from, e instanceof Error ? e.message : String(e));
  }
  if (json.format !== TRAIN_STATE_FORMAT || json.version !== TRAIN_STATE_VERSION) {
    fail(from, `state.json is not a version-${TRAIN_STATE_VERSION} training state`);
  }
  if (!isCount(json.step) || !isCount(json.adamUpdates) || !isCount(json.emaUpdates)) {
    fail(from, 'state.json has bad step counters');
  }
  if (bytes.byteLength % 4 !== 0) fail(from, 'tensors.bin is truncated');
  // Copy into an aligned buffer of our own (a Node Buffer may sit at any offset of a pool).
  const floats = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(floats.buffer).set(bytes);
  const index = parseIndex(from, json.tensors, floats.length);
  const tensors: TrainStateTensor[] = index.map((e) => ({
    name: e.name,
    shape: e.shape,
    values: floats.subarray(e.offset, e.offset + e.length),
  }));
  const state: TrainState = {
    step: json.step,
    adamUpdates: json.adamUpdates,
    emaUpdates: json.emaUpdates,
    tensors,
  };
  return { state, run: json.run };
}
