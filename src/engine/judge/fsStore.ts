// The judge's three files on disk, for the Node CLI only (node:fs; never import it from the
// worker, which uses fetchStore.ts).
import { join } from 'node:path';
import { makeDir, readBytes, requireDirectory, writeAtomic } from '../checkpoint/fsFiles';
import { ownBuffer, parseModelJson } from '../checkpoint/pack';
import { MODEL_JSON_FILE, WEIGHTS_FILE } from '../checkpoint/types';
import { referenceStatsText } from './referenceStats';
import { REFERENCE_STATS_FILE, type EncodedJudge, type RawJudge } from './types';

const FILE = 'judge file';
const DIR = 'judge directory';

/** Writes weights.bin, then reference-stats.json, then model.json (last: it names the others). */
export async function saveJudgeDir(dir: string, judge: EncodedJudge): Promise<void> {
  await makeDir(DIR, dir);
  await writeAtomic(FILE, join(dir, WEIGHTS_FILE), new Uint8Array(judge.weights));
  await writeAtomic(
    FILE,
    join(dir, REFERENCE_STATS_FILE),
    referenceStatsText(judge.referenceStats),
  );
  await writeAtomic(
    FILE,
    join(dir, MODEL_JSON_FILE),
    `${JSON.stringify(judge.modelJson, null, 2)}\n`,
  );
}

/** Reads the three files; validate them with loadJudge. */
export async function loadJudgeDir(dir: string): Promise<RawJudge> {
  await requireDirectory(DIR, dir);
  const text = async (name: string) => {
    const path = join(dir, name);
    return parseModelJson(new TextDecoder().decode(await readBytes(FILE, path)), path);
  };
  return {
    modelJson: await text(MODEL_JSON_FILE),
    weights: ownBuffer(await readBytes(FILE, join(dir, WEIGHTS_FILE))),
    referenceStats: await text(REFERENCE_STATS_FILE),
  };
}
