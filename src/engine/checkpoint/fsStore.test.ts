import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UNet } from '../../model/unet';
import {
  loadCheckpointDir,
  loadCheckpointPath,
  saveCheckpointDir,
  saveCheckpointFile,
} from './fsStore';
import { decodeCheckpoint, encodeCheckpoint } from './serialize';
import { expectCheckpointError, sameBytes, tinyMeta, tinyModel, useCpu } from './testFixtures';
import type { EncodedCheckpoint } from './types';

let model: UNet;
let enc: EncodedCheckpoint;
let tmp: string;

beforeAll(async () => {
  await useCpu();
  model = tinyModel();
  enc = await encodeCheckpoint(model.params, tinyMeta(model));
  tmp = await mkdtemp(join(tmpdir(), 'dp-checkpoint-'));
});
afterAll(async () => {
  model.dispose();
  await rm(tmp, { recursive: true, force: true });
});

describe('checkpoint directories', () => {
  it('round-trip model.json + weights.bin, readable model.json, no temp files left', async () => {
    const dir = join(tmp, 'nested', 'ckpt');
    await saveCheckpointDir(dir, enc);
    expect((await readdir(dir)).sort()).toEqual(['model.json', 'weights.bin']);
    const text = await readFile(join(dir, 'model.json'), 'utf8');
    expect(text).toContain('\n  "format": "diffusion-playground-checkpoint",');
    const raw = await loadCheckpointDir(dir);
    const dec = await decodeCheckpoint(raw.modelJson, raw.weights);
    expect(dec.manifest).toEqual(enc.modelJson);
    expect(sameBytes(raw.weights, enc.weights)).toBe(true);
    const again = await loadCheckpointPath(dir);
    expect(again.modelJson).toEqual(raw.modelJson);
  });

  it('round-trip a packed file', async () => {
    const file = join(tmp, 'model.dpck');
    await saveCheckpointFile(file, enc);
    const raw = await loadCheckpointPath(file);
    expect((await decodeCheckpoint(raw.modelJson, raw.weights)).manifest).toEqual(enc.modelJson);
  });

  it('name the missing path', async () => {
    const missing = join(tmp, 'nope');
    await expectCheckpointError(
      () => loadCheckpointDir(missing),
      'io',
      `checkpoint directory ${missing} does not exist`,
    );
    await expectCheckpointError(
      () => loadCheckpointPath(missing),
      'io',
      `checkpoint ${missing} does not exist`,
    );
    const dir = join(tmp, 'half');
    await saveCheckpointDir(dir, enc);
    await rm(join(dir, 'weights.bin'));
    await expectCheckpointError(
      () => loadCheckpointDir(dir),
      'io',
      `checkpoint file ${join(dir, 'weights.bin')} does not exist`,
    );
    await writeFile(join(dir, 'model.json'), '{ not json');
    await expectCheckpointError(
      () => loadCheckpointDir(dir),
      'format',
      new RegExp(`^${join(dir, 'model.json').replace(/[.\\]/g, '\\$&')} is not valid JSON`),
    );
  });
});
