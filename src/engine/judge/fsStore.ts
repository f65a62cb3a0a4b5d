// The judge's three files on disk, for the Node CLI only (node:fs; never import it from the
// worker, which uses fetchStore.ts).
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CheckpointError, messageOf } from '../checkpoint/errors';
import { ownBuffer, parseModelJson } from '../checkpoint/pack';
import { MODEL_JSON_FILE, WEIGHTS_FILE } from '../checkpoint/types';
import { referenceStatsText } from './referenceStats';
import { REFERENCE_STATS_FILE, type EncodedJudge, type RawJudge } from './types';

function ioError(what: string, path: string, e: unknown): CheckpointError {
  const code = (e as { code?: unknown } | null)?.code;
  const message =
    code === 'ENOENT'
      ? `${what} ${path} does not exist`
      : `cannot access ${what} ${path}: ${messageOf(e)}`;
  return new CheckpointError('io', message, { cause: e });
}

async function writeAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.tmp`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    throw ioError('judge file', path, e);
  }
}

async function readBytes(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (e) {
    throw ioError('judge file', path, e);
  }
}

/** Writes weights.bin, then reference-stats.json, then model.json (last: it names the others). */
export async function saveJudgeDir(dir: string, judge: EncodedJudge): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (e) {
    throw ioError('judge directory', dir, e);
  }
  await writeAtomic(join(dir, WEIGHTS_FILE), new Uint8Array(judge.weights));
  await writeAtomic(join(dir, REFERENCE_STATS_FILE), referenceStatsText(judge.referenceStats));
  await writeAtomic(join(dir, MODEL_JSON_FILE), `${JSON.stringify(judge.modelJson, null, 2)}\n`);
}

/** Reads the three files; validate them with loadJudge. */
export async function loadJudgeDir(dir: string): Promise<RawJudge> {
  let isDir: boolean;
  try {
    isDir = (await stat(dir)).isDirectory();
  } catch (e) {
    throw ioError('judge directory', dir, e);
  }
  if (!isDir) throw new CheckpointError('io', `judge directory ${dir} is not a directory`);
  const text = async (name: string) => {
    const path = join(dir, name);
    return parseModelJson(new TextDecoder().decode(await readBytes(path)), path);
  };
  return {
    modelJson: await text(MODEL_JSON_FILE),
    weights: ownBuffer(await readBytes(join(dir, WEIGHTS_FILE))),
    referenceStats: await text(REFERENCE_STATS_FILE),
  };
}
