// Checkpoints on disk, for the Node CLI only (imports node:fs; never import it from the worker).
// A checkpoint directory holds model.json and weights.bin, whose weights tfjs's own loaders
// (tf.io.loadWeights, tf.io.decodeWeights) read as is.
import { join } from 'node:path';
import { isDirectory, makeDir, readBytes, requireDirectory, writeAtomic } from './fsFiles';
import { modelJsonText, ownBuffer, packCheckpoint, parseModelJson, unpackCheckpoint } from './pack';
import { MODEL_JSON_FILE, WEIGHTS_FILE, type EncodedCheckpoint, type RawCheckpoint } from './types';

const FILE = 'checkpoint file';
const DIR = 'checkpoint directory';

export async function saveCheckpointDir(dir: string, encoded: EncodedCheckpoint): Promise<void> {
  await makeDir(DIR, dir);
  // weights.bin first: a model.json is only ever next to the weights it describes.
  await writeAtomic(FILE, join(dir, WEIGHTS_FILE), new Uint8Array(encoded.weights));
  await writeAtomic(FILE, join(dir, MODEL_JSON_FILE), modelJsonText(encoded));
}

/** Reads both files; validate with decodeCheckpoint. */
export async function loadCheckpointDir(dir: string): Promise<RawCheckpoint> {
  await requireDirectory(DIR, dir);
  const jsonPath = join(dir, MODEL_JSON_FILE);
  const modelJson = parseModelJson(
    new TextDecoder().decode(await readBytes(FILE, jsonPath)),
    jsonPath,
  );
  return { modelJson, weights: ownBuffer(await readBytes(FILE, join(dir, WEIGHTS_FILE))) };
}

export async function saveCheckpointFile(path: string, encoded: EncodedCheckpoint): Promise<void> {
  await writeAtomic(FILE, path, packCheckpoint(encoded));
}

/** A checkpoint directory, or a packed single file (see pack.ts). */
export async function loadCheckpointPath(path: string): Promise<RawCheckpoint> {
  if (await isDirectory('checkpoint', path)) return loadCheckpointDir(path);
  return unpackCheckpoint(await readBytes(FILE, path), path);
}
