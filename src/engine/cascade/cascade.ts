// A loaded cascade (Ho et al. 2021, Sec. 2): the base model, the super-resolution model trained
// with conditioning augmentation and, optionally, the one trained without it. Built from decoded
// checkpoints and their stage.json, checked to fit together before anything is kept.
import type { Schedule } from '../../diffusion/schedule';
import { makeSchedule } from '../../diffusion/schedule';
import type { UNet } from '../../model/unet';
import { createUNetFromCheckpoint } from '../checkpoint/restore';
import type { DecodedCheckpoint } from '../checkpoint/types';
import { CascadeError, checkStagesFit, type CascadeStageInfo } from './stage';

export interface SrStage {
  unet: UNet;
  info: CascadeStageInfo;
}

export interface Cascade {
  base: UNet;
  baseInfo: CascadeStageInfo;
  sr: SrStage;
  /** The same SR model trained without augmentation (for the comparison), if shipped. */
  srNoAug: SrStage | null;
  schedule: Schedule;
  classNames: readonly string[];
}

export interface DecodedStage {
  decoded: DecodedCheckpoint;
  info: CascadeStageInfo;
}

function sameSchedule(a: DecodedCheckpoint, b: DecodedCheckpoint): boolean {
  return JSON.stringify(a.manifest.schedule) === JSON.stringify(b.manifest.schedule);
}

/** Validates the stages against each other, then creates the models (all or none). */
export function assembleCascade(
  base: DecodedStage,
  sr: DecodedStage,
  srNoAug: DecodedStage | null,
): Cascade {
  const stage = (s: DecodedStage) => ({ config: s.decoded.manifest.modelConfig, info: s.info });
  checkStagesFit(stage(base), stage(sr), 'sr');
  if (srNoAug) {
    checkStagesFit(stage(base), stage(srNoAug), 'sr-noaug');
    if (srNoAug.info.augmentation !== 'none') {
      throw new CascadeError('sr-noaug must be trained with augmentation "none"');
    }
  }
  for (const [name, s] of [
    ['sr', sr],
    ['sr-noaug', srNoAug],
  ] as const) {
    if (s && !sameSchedule(base.decoded, s.decoded)) {
      throw new CascadeError(`${name} was trained with another noise schedule than base`);
    }
  }
  const made: UNet[] = [];
  try {
    const b = createUNetFromCheckpoint(base.decoded);
    made.push(b);
    const s = createUNetFromCheckpoint(sr.decoded);
    made.push(s);
    const n = srNoAug ? createUNetFromCheckpoint(srNoAug.decoded) : null;
    return {
      base: b,
      baseInfo: base.info,
      sr: { unet: s, info: sr.info },
      srNoAug: n && srNoAug ? { unet: n, info: srNoAug.info } : null,
      schedule: makeSchedule(base.decoded.manifest.schedule),
      classNames: base.decoded.manifest.classNames,
    };
  } catch (e) {
    for (const m of made) m.dispose();
    throw e;
  }
}

export function disposeCascade(c: Cascade): void {
  c.base.dispose();
  c.sr.unet.dispose();
  c.srNoAug?.unet.dispose();
}
