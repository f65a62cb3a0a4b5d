// The latent model's folder on disk, for the Node CLI only (node:fs; the worker fetches the same
// files over HTTP):
//   DIR/latent.json              { format, formatVersion, scaleFactor, autoencoder, unet }
//   DIR/autoencoder/model.json + weights.bin   the first stage (autoencoderCheckpoint.ts)
//   DIR/unet/model.json + weights.bin          the latent U-Net (a plain diffusion checkpoint)
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { makeDir, readBytes, requireDirectory, writeAtomic } from '../checkpoint/fsFiles';
import { ownBuffer, parseModelJson } from '../checkpoint/pack';
import { MODEL_JSON_FILE, WEIGHTS_FILE } from '../checkpoint/types';
import { LATENT_INDEX_FILE, type LatentIndex } from './latentIndex';

const FILE = 'latent model file';
const DIR = 'latent model directory';

export interface RawFiles {
  modelJson: unknown;
  weights: ArrayBuffer;
}

/** Whether `dir` holds a latent model (a latent.json), without reading it. */
export function isLatentModelDir(dir: string): boolean {
  return existsSync(join(dir, LATENT_INDEX_FILE));
}

/** model.json + weights.bin of one stage directory. */
export async function readModelFiles(dir: string): Promise<RawFiles> {
  await requireDirectory(DIR, dir);
  const jsonPath = join(dir, MODEL_JSON_FILE);
  const text = new TextDecoder().decode(await readBytes(FILE, jsonPath));
  return {
    modelJson: parseModelJson(text, jsonPath),
    weights: ownBuffer(await readBytes(FILE, join(dir, WEIGHTS_FILE))),
  };
}

/** Writes weights.bin, then model.json (last: it names the weights). */
export async function writeModelFiles(
  dir: string,
  files: { modelJson: unknown; weights: ArrayBuffer },
): Promise<void> {
  await makeDir(DIR, dir);
  await writeAtomic(FILE, join(dir, WEIGHTS_FILE), new Uint8Array(files.weights));
  await writeAtomic(
    FILE,
    join(dir, MODEL_JSON_FILE),
    `${JSON.stringify(files.modelJson, null, 2)}\n`,
  );
}

export async function readLatentIndexFile(dir: string): Promise<unknown> {
  const path = join(dir, LATENT_INDEX_FILE);
  return parseModelJson(new TextDecoder().decode(await readBytes(FILE, path)), path);
}

export async function writeLatentIndexFile(dir: string, index: LatentIndex): Promise<void> {
  await makeDir(DIR, dir);
  await writeAtomic(FILE, join(dir, LATENT_INDEX_FILE), `${JSON.stringify(index, null, 2)}\n`);
}
