// The noisy classifier's two files on disk, for the Node CLI only (node:fs; never import it from
// the worker, which fetches them).
import { join } from 'node:path';
import { makeDir, readBytes, requireDirectory, writeAtomic } from '../checkpoint/fsFiles';
import { ownBuffer, parseModelJson } from '../checkpoint/pack';
import { MODEL_JSON_FILE, WEIGHTS_FILE } from '../checkpoint/types';
import type { NoisyClassifierManifest } from './types';

const FILE = 'noisy classifier file';
const DIR = 'noisy classifier directory';

/** Writes weights.bin, then model.json (last: it names the weights). */
export async function saveNoisyClassifierDir(
  dir: string,
  encoded: { modelJson: NoisyClassifierManifest; weights: ArrayBuffer },
): Promise<void> {
  await makeDir(DIR, dir);
  await writeAtomic(FILE, join(dir, WEIGHTS_FILE), new Uint8Array(encoded.weights));
  await writeAtomic(
    FILE,
    join(dir, MODEL_JSON_FILE),
    `${JSON.stringify(encoded.modelJson, null, 2)}\n`,
  );
}

/** Reads the two files, not yet validated (decodeNoisyClassifier validates them). */
export async function loadNoisyClassifierDir(
  dir: string,
): Promise<{ modelJson: unknown; weights: ArrayBuffer }> {
  await requireDirectory(DIR, dir);
  const path = join(dir, MODEL_JSON_FILE);
  return {
    modelJson: parseModelJson(new TextDecoder().decode(await readBytes(FILE, path)), path),
    weights: ownBuffer(await readBytes(FILE, join(dir, WEIGHTS_FILE))),
  };
}
