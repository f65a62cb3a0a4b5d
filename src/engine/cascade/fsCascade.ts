// Loads a cascade folder (base/, sr/, optional sr-noaug/, see stage.ts) in Node.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { decodeCheckpoint } from '../checkpoint';
import { loadCheckpointPath } from '../checkpoint/fsStore';
import { assembleCascade, type Cascade, type DecodedStage } from './cascade';
import { readStageInfo } from './fsStage';
import { CASCADE_DIRS, STAGE_FILE } from './stage';

/** True when dir looks like a cascade folder (it has base/stage.json). */
export function isCascadeDir(dir: string): boolean {
  return existsSync(path.join(dir, CASCADE_DIRS.base, STAGE_FILE));
}

async function loadStage(dir: string): Promise<DecodedStage> {
  const info = await readStageInfo(dir);
  const raw = await loadCheckpointPath(dir);
  return { decoded: await decodeCheckpoint(raw.modelJson, raw.weights), info };
}

export async function loadCascadeDir(dir: string, withNoAug = true): Promise<Cascade> {
  const base = await loadStage(path.join(dir, CASCADE_DIRS.base));
  const sr = await loadStage(path.join(dir, CASCADE_DIRS.sr));
  const noAugDir = path.join(dir, CASCADE_DIRS.srNoAug);
  const srNoAug = withNoAug && existsSync(noAugDir) ? await loadStage(noAugDir) : null;
  return assembleCascade(base, sr, srNoAug);
}
