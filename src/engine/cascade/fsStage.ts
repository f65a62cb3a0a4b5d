// Node-side reading and writing of a cascade stage's stage.json (see stage.ts).
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import {
  CASCADE_STAGE_FORMAT,
  CascadeError,
  STAGE_FILE,
  validateStageInfo,
  type CascadeStageInfo,
  type CascadeStageKind,
} from './stage';
import type { AugmentationKind } from '../../diffusion/conditioningAugmentation';
import { CASCADE_FACTOR } from './conditioning';

export async function writeStageInfo(
  dir: string,
  c: { stage: CascadeStageKind; augmentation: AugmentationKind; augStrength: number },
): Promise<void> {
  const info: CascadeStageInfo = {
    format: CASCADE_STAGE_FORMAT,
    stage: c.stage,
    augmentation: c.augmentation,
    augStrength: c.augStrength,
    factor: CASCADE_FACTOR,
  };
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, STAGE_FILE), `${JSON.stringify(info, null, 2)}\n`);
}

export async function readStageInfo(dir: string): Promise<CascadeStageInfo> {
  const file = path.join(dir, STAGE_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new CascadeError(
      `${file} is missing: is ${dir} a stage of a cascade (train --cascade-stage writes it)?`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CascadeError(`${file} is not valid JSON (${e instanceof Error ? e.message : e})`);
  }
  return validateStageInfo(json, file);
}
