// A cascade folder's stage.json and the checks that its stages fit together; the shipped
// models/mnist-cascade loads through the same validation, and a broken folder fails clearly.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useCpu } from '../../diffusion/test-utils/tf';
import { cascadeBaseConfig, cascadeSrConfig } from '../../model/cascadePresets';
import { disposeCascade } from './cascade';
import { isCascadeDir, loadCascadeDir } from './fsCascade';
import {
  CASCADE_STAGE_FORMAT,
  checkStagesFit,
  validateStageInfo,
  type CascadeStageInfo,
} from './stage';
import { repoRoot } from '../../diffusion/test-utils/reference';

beforeAll(useCpu);

const info = (o: Partial<CascadeStageInfo> = {}): CascadeStageInfo => ({
  format: CASCADE_STAGE_FORMAT,
  stage: 'sr',
  augmentation: 'noise',
  augStrength: 0.5,
  factor: 2,
  ...o,
});

describe('validateStageInfo', () => {
  it('accepts a valid stage and names the problem otherwise', () => {
    expect(validateStageInfo(info(), 'x').augmentation).toBe('noise');
    expect(() => validateStageInfo([], 'f.json')).toThrow('f.json: not a JSON object');
    expect(() => validateStageInfo({ ...info(), format: 'other' }, 'f')).toThrow(/format/);
    expect(() => validateStageInfo({ ...info(), stage: 'mid' }, 'f')).toThrow(/stage/);
    expect(() => validateStageInfo({ ...info(), augmentation: 'jpeg' }, 'f')).toThrow(
      /augmentation/,
    );
    expect(() => validateStageInfo({ ...info(), augStrength: 2 }, 'f')).toThrow(/\(0, 1\]/);
    expect(() => validateStageInfo({ ...info(), factor: 4 }, 'f')).toThrow(/factor/);
    expect(() =>
      validateStageInfo({ ...info(), stage: 'base', augmentation: 'blur', augStrength: 1 }, 'f'),
    ).toThrow(/base stage/);
  });
});

describe('checkStagesFit', () => {
  const base = {
    config: cascadeBaseConfig('tiny'),
    info: info({ stage: 'base', augmentation: 'none', augStrength: 0 }),
  };
  it('accepts the preset pair', () => {
    expect(() =>
      checkStagesFit(base, { config: cascadeSrConfig('tiny', 'noise'), info: info() }),
    ).not.toThrow();
  });
  it('rejects stages that do not fit', () => {
    const sr = { config: cascadeSrConfig('tiny', 'noise'), info: info() };
    expect(() => checkStagesFit(sr, sr)).toThrow(/stage "sr"/);
    expect(() =>
      checkStagesFit(base, { ...sr, config: { ...sr.config, imageSize: 32, patchSize: 2 } }),
    ).toThrow(/not 2× the base/);
    expect(() =>
      checkStagesFit(base, { config: cascadeSrConfig('tiny', 'none'), info: info() }),
    ).toThrow(/level s exactly/);
    expect(() =>
      checkStagesFit({ ...base, config: { ...base.config, numClasses: 0 } }, sr),
    ).toThrow(/class-conditional/);
  });
});

describe('the shipped cascade', () => {
  const dir = path.join(repoRoot, 'models/mnist-cascade');
  it('loads with all three stages', async () => {
    expect(isCascadeDir(dir)).toBe(true);
    const c = await loadCascadeDir(dir);
    expect(c.base.config.imageSize).toBe(14);
    expect(c.sr.unet.config.imageSize).toBe(28);
    expect(c.sr.info.augmentation).toBe('noise');
    expect(c.srNoAug?.info.augmentation).toBe('none');
    disposeCascade(c);
  });

  it('a folder with a broken stage.json or a swapped stage fails with a clear error', async () => {
    const tmp = await mkdtemp(path.join(tmpdir(), 'cascade-'));
    try {
      await cp(dir, tmp, { recursive: true });
      await writeFile(path.join(tmp, 'sr/stage.json'), '{');
      await expect(loadCascadeDir(tmp)).rejects.toThrow(/sr\/stage.json is not valid JSON/);
      await rm(path.join(tmp, 'sr/stage.json'));
      await expect(loadCascadeDir(tmp)).rejects.toThrow(/stage.json is missing/);
      // The no-augmentation model in the sr/ slot: it does not take the level s.
      await cp(path.join(dir, 'sr-noaug'), path.join(tmp, 'sr'), { recursive: true });
      const stage = JSON.parse(await readFile(path.join(tmp, 'sr/stage.json'), 'utf8'));
      await writeFile(
        path.join(tmp, 'sr/stage.json'),
        JSON.stringify({ ...stage, augmentation: 'noise', augStrength: 0.5 }),
      );
      await expect(loadCascadeDir(tmp)).rejects.toThrow(/level s exactly/);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
