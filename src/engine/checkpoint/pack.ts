// One-file form of a checkpoint, for download/upload (a browser download is one file).
//
// Layout, all integers unsigned 32-bit little-endian:
//   offset 0   4 bytes  magic "DPCK" (ASCII)
//   offset 4   u32      container version, 1
//   offset 8   u32      N = byte length of the model.json text
//   offset 12  N bytes  model.json, UTF-8
//   then                weights.bin, to the end of the file
// The weights' length is implied by the manifest and checked by decodeCheckpoint.
import { CheckpointError, messageOf } from './errors';
import { MODEL_JSON_FILE, type EncodedCheckpoint, type RawCheckpoint } from './types';

export const PACK_MAGIC = 'DPCK';
export const PACK_VERSION = 1;
export const PACK_HEADER_BYTES = 12;
/** Suggested file extension for packed checkpoints. */
export const PACK_EXTENSION = '.dpck';

/** model.json as written to disk: indented so that people can read and diff it. */
export function modelJsonText(encoded: EncodedCheckpoint): string {
  return `${JSON.stringify(encoded.modelJson, null, 2)}\n`;
}

/** JSON.parse with a CheckpointError naming the file. */
export function parseModelJson(text: string, source = MODEL_JSON_FILE): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new CheckpointError('format', `${source} is not valid JSON: ${messageOf(e)}`, {
      cause: e,
    });
  }
}

function toBytes(data: ArrayBuffer | Uint8Array): Uint8Array {
  return data instanceof Uint8Array ? data : new Uint8Array(data);
}

/**
 * A copy of bytes in a buffer of its own: views (and Node Buffers, whose slice() does not copy)
 * may share a larger buffer.
 */
export function ownBuffer(bytes: Uint8Array): ArrayBuffer {
  return new Uint8Array(bytes).buffer;
}

export function packCheckpoint(encoded: EncodedCheckpoint): Uint8Array<ArrayBuffer> {
  const json = new TextEncoder().encode(JSON.stringify(encoded.modelJson));
  const weights = new Uint8Array(encoded.weights);
  const out = new Uint8Array(PACK_HEADER_BYTES + json.byteLength + weights.byteLength);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode(PACK_MAGIC), 0);
  view.setUint32(4, PACK_VERSION, true);
  view.setUint32(8, json.byteLength, true);
  out.set(json, PACK_HEADER_BYTES);
  out.set(weights, PACK_HEADER_BYTES + json.byteLength);
  return out;
}

/** Splits a packed file; the parts are validated by decodeCheckpoint. */
export function unpackCheckpoint(data: ArrayBuffer | Uint8Array, source = 'file'): RawCheckpoint {
  const bytes = toBytes(data);
  if (bytes.byteLength >= 1 && bytes[0] === 0x7b) {
    throw new CheckpointError(
      'format',
      `${source} looks like a model.json, not a packed checkpoint: load it together with its weights.bin`,
    );
  }
  if (bytes.byteLength < PACK_HEADER_BYTES) {
    throw new CheckpointError(
      'corrupt',
      `${source} has only ${bytes.byteLength} bytes, too few for a checkpoint header`,
    );
  }
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (magic !== PACK_MAGIC) {
    throw new CheckpointError(
      'format',
      `${source} is not a Diffusion Playground checkpoint (it starts with ${JSON.stringify(magic)}, expected "${PACK_MAGIC}")`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version !== PACK_VERSION) {
    throw new CheckpointError(
      'version',
      `checkpoint container version ${version} is not supported (this app reads version ${PACK_VERSION})`,
    );
  }
  const jsonLength = view.getUint32(8, true);
  const jsonEnd = PACK_HEADER_BYTES + jsonLength;
  if (jsonEnd > bytes.byteLength) {
    throw new CheckpointError(
      'corrupt',
      `${source} is truncated: its header announces a ${jsonLength}-byte model.json but only ` +
        `${bytes.byteLength - PACK_HEADER_BYTES} bytes follow`,
    );
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(
      bytes.subarray(PACK_HEADER_BYTES, jsonEnd),
    );
  } catch (e) {
    throw new CheckpointError('corrupt', `${source}: model.json is not valid UTF-8`, { cause: e });
  }
  return {
    modelJson: parseModelJson(text, `${source}: model.json`),
    weights: ownBuffer(bytes.subarray(jsonEnd)),
  };
}

/** The two files uploaded separately (model.json text and weights.bin contents). */
export function fromFiles(jsonText: string, weights: ArrayBuffer | Uint8Array): RawCheckpoint {
  return {
    modelJson: parseModelJson(jsonText),
    weights: weights instanceof Uint8Array ? ownBuffer(weights) : weights,
  };
}
