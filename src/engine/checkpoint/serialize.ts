// Parameters <-> the two checkpoint files. Decoding validates everything (manifest, byte length,
// checksum, NaN/Inf) on plain arrays, so a bad checkpoint is rejected before any tensor exists.
import type { Params } from '../../model/params';
import { crc32Hex } from './crc32';
import { CheckpointError } from './errors';
import { decodeFloat16, encodeFloat16 } from './float16';
import { validateManifest } from './manifest';
import {
  CHECKPOINT_FORMAT,
  CHECKPOINT_FORMAT_VERSION,
  WEIGHTS_FILE,
  type CheckpointManifest,
  type CheckpointMeta,
  type CheckpointWeightEntry,
  type DecodedCheckpoint,
  type EncodedCheckpoint,
  type WeightStorage,
} from './types';
import { entryByteLength, entryStorage, weightEntries, weightsByteLength } from './weightsManifest';

export interface EncodeOptions {
  /** float16 halves the file (for shipped pretrained models); values are rounded. Default float32. */
  dtype?: WeightStorage;
}

/** Index of the first NaN or ±Inf, or -1. */
function firstNonFinite(values: Float32Array): number {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return i;
  return -1;
}

function nonFiniteError(prefix: string, name: string, values: Float32Array, i: number) {
  return new CheckpointError(
    'nan',
    `${prefix}weight ${name} contains NaN or Inf values (first at index ${i}: ${values[i]})`,
  );
}

function toBytes(data: ArrayBuffer | ArrayBufferView): Uint8Array {
  return data instanceof ArrayBuffer
    ? new Uint8Array(data)
    : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

async function encodeWeight(params: Params, entry: CheckpointWeightEntry): Promise<Uint8Array> {
  const v = params.get(entry.name);
  if (!v || v.dtype !== 'float32') {
    throw new CheckpointError('mismatch', `cannot save: parameter ${entry.name} is not float32`);
  }
  const values = (await v.data()) as Float32Array;
  const bad = firstNonFinite(values);
  // Saving would succeed but loading would refuse the file: fail now, where the cause is.
  if (bad >= 0) throw nonFiniteError('cannot save: ', entry.name, values, bad);
  if (entryStorage(entry) === 'float32') {
    return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  }
  const half = encodeFloat16(values);
  const overflow = firstNonFinite(decodeFloat16(half));
  if (overflow >= 0) {
    throw new CheckpointError(
      'nan',
      `cannot save as float16: weight ${entry.name} has value ${values[overflow]} beyond the ` +
        'float16 range (±65504); save as float32 instead',
    );
  }
  return new Uint8Array(half.buffer);
}

/**
 * Reads every parameter (with `await data()`) into model.json + weights.bin, in the params'
 * order. Run no optimizer step until it resolves: each variable is read at its own await.
 */
export async function encodeCheckpoint(
  params: Params,
  meta: CheckpointMeta,
  opts: EncodeOptions = {},
): Promise<EncodedCheckpoint> {
  const storage = opts.dtype ?? 'float32';
  if (storage !== 'float32' && storage !== 'float16') {
    throw new CheckpointError('format', `unknown weight storage dtype ${String(storage)}`);
  }
  const weights: CheckpointWeightEntry[] = [...params].map(([name, v]) => ({
    name,
    shape: [...v.shape],
    dtype: 'float32',
    ...(storage === 'float16' ? { quantization: { dtype: 'float16' as const } } : {}),
  }));
  // Validate the metadata and the parameter names/shapes before reading any tensor data.
  const manifest: CheckpointManifest = validateManifest({
    ...meta,
    format: CHECKPOINT_FORMAT,
    formatVersion: CHECKPOINT_FORMAT_VERSION,
    schedule: { ...meta.schedule, scaled: meta.schedule.scaled ?? false },
    createdAt: meta.createdAt ?? new Date().toISOString(),
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights }],
  });
  const out = await encodeWeights(params, weightEntries(manifest));
  manifest.weightsCrc32 = crc32Hex(out);
  return { modelJson: manifest, weights: out.buffer };
}

/**
 * weights.bin for the given manifest entries: each parameter read with `await data()`, checked
 * finite, stored as its entry says, concatenated in entry order.
 */
export async function encodeWeights(
  params: Params,
  entries: readonly CheckpointWeightEntry[],
): Promise<Uint8Array<ArrayBuffer>> {
  const out = new Uint8Array(entries.reduce((n, e) => n + entryByteLength(e), 0));
  let offset = 0;
  for (const entry of entries) {
    const bytes = await encodeWeight(params, entry);
    out.set(bytes, offset);
    offset += bytes.byteLength;
  }
  return out;
}

/**
 * Validates a parsed model.json and its weights.bin completely and returns the values as plain
 * arrays. Throws a CheckpointError on the first problem; creates no tensors either way.
 */
export async function decodeCheckpoint(
  modelJson: unknown,
  weights: ArrayBuffer | ArrayBufferView,
): Promise<DecodedCheckpoint> {
  const manifest = validateManifest(modelJson);
  return { manifest, values: decodeWeights(manifest, weights) };
}

/**
 * Checks weights.bin against a validated manifest (byte length, CRC-32 when the manifest has
 * one, NaN/Inf) and splits it into float32 arrays by weight name. Creates no tensors.
 */
export function decodeWeights(
  manifest: Pick<CheckpointManifest, 'weightsManifest' | 'weightsCrc32'>,
  weights: ArrayBuffer | ArrayBufferView,
): Map<string, Float32Array> {
  const bytes = toBytes(weights);
  const expected = weightsByteLength(manifest);
  if (bytes.byteLength !== expected) {
    const why = bytes.byteLength < expected ? 'truncated' : 'extra bytes at the end';
    throw new CheckpointError(
      'corrupt',
      `${WEIGHTS_FILE} has ${bytes.byteLength} bytes but the manifest describes ${expected} (${why})`,
    );
  }
  if (manifest.weightsCrc32 !== undefined) {
    const actual = crc32Hex(bytes);
    if (actual !== manifest.weightsCrc32) {
      throw new CheckpointError(
        'corrupt',
        `${WEIGHTS_FILE} is corrupt: its CRC-32 is ${actual} but the manifest says ${manifest.weightsCrc32}`,
      );
    }
  }
  const values = new Map<string, Float32Array>();
  let offset = 0;
  for (const entry of weightEntries(manifest)) {
    const end = offset + entryByteLength(entry);
    // A copy in a fresh, aligned buffer (float16 entries can leave odd offsets). Not
    // bytes.slice(): on a Node Buffer that is a view.
    const chunk = new Uint8Array(bytes.subarray(offset, end)).buffer;
    const v =
      entryStorage(entry) === 'float16'
        ? decodeFloat16(new Uint16Array(chunk))
        : new Float32Array(chunk);
    const bad = firstNonFinite(v);
    if (bad >= 0) throw nonFiniteError('', entry.name, v, bad);
    values.set(entry.name, v);
    offset = end;
  }
  return values;
}
