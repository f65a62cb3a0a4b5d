// Checkpoints on disk, for the Node CLI only (imports node:fs; never import it from the worker).
// A checkpoint directory holds model.json and weights.bin, whose weights tfjs's own loaders
// (tf.io.loadWeights, tf.io.decodeWeights) read as is.
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CheckpointError, messageOf } from './errors';
import { modelJsonText, ownBuffer, packCheckpoint, parseModelJson, unpackCheckpoint } from './pack';
import { MODEL_JSON_FILE, WEIGHTS_FILE, type EncodedCheckpoint, type RawCheckpoint } from './types';

function ioError(what: string, path: string, e: unknown): CheckpointError {
  const code = (e as { code?: unknown } | null)?.code;
  const message =
    code === 'ENOENT'
      ? `${what} ${path} does not exist`
      : `cannot access ${what} ${path}: ${messageOf(e)}`;
  return new CheckpointError('io', message, { cause: e });
}

/** Writes to a temporary name and renames, so an interrupted save never leaves a half file. */
async function writeAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.tmp`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    throw ioError('checkpoint file', path, e);
  }
}

async function readBytes(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (e) {
    throw ioError('checkpoint file', path, e);
  }
}

export async function saveCheckpointDir(dir: string, encoded: EncodedCheckpoint): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (e) {
    throw ioError('checkpoint directory', dir, e);
  }
  // weights.bin first: a model.json is only ever next to the weights it describes.
  await writeAtomic(join(dir, WEIGHTS_FILE), new Uint8Array(encoded.weights));
  await writeAtomic(join(dir, MODEL_JSON_FILE), modelJsonText(encoded));
}

/** Reads both files; validate with decodeCheckpoint. */
export async function loadCheckpointDir(dir: string): Promise<RawCheckpoint> {
  let isDir: boolean;
  try {
    isDir = (await stat(dir)).isDirectory();
  } catch (e) {
    throw ioError('checkpoint directory', dir, e);
  }
  if (!isDir) throw new CheckpointError('io', `checkpoint directory ${dir} is not a directory`);
  const jsonPath = join(dir, MODEL_JSON_FILE);
  const modelJson = parseModelJson(new TextDecoder().decode(await readBytes(jsonPath)), jsonPath);
  return { modelJson, weights: ownBuffer(await readBytes(join(dir, WEIGHTS_FILE))) };
}

export async function saveCheckpointFile(path: string, encoded: EncodedCheckpoint): Promise<void> {
  await writeAtomic(path, packCheckpoint(encoded));
}

/** A checkpoint directory, or a packed single file (see pack.ts). */
export async function loadCheckpointPath(path: string): Promise<RawCheckpoint> {
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch (e) {
    throw ioError('checkpoint', path, e);
  }
  if (isDir) return loadCheckpointDir(path);
  return unpackCheckpoint(await readBytes(path), path);
}
