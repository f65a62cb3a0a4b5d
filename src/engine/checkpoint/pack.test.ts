import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UNet } from '../../model/unet';
import { validateCheckpointName } from './idbStore';
import { fromFiles, modelJsonText, packCheckpoint, unpackCheckpoint } from './pack';
import { decodeCheckpoint, encodeCheckpoint } from './serialize';
import { expectCheckpointError, sameBytes, tinyMeta, tinyModel, useCpu } from './testFixtures';
import type { EncodedCheckpoint } from './types';

let model: UNet;
let enc: EncodedCheckpoint;
let packed: Uint8Array<ArrayBuffer>;

beforeAll(async () => {
  await useCpu();
  model = tinyModel();
  enc = await encodeCheckpoint(model.params, tinyMeta(model), { dtype: 'float16' });
  packed = packCheckpoint(enc);
});
afterAll(() => model.dispose());

/** A packed file with its header bytes [offset, offset + bytes.length) replaced. */
function patched(offset: number, bytes: number[]): Uint8Array {
  const copy = packed.slice();
  copy.set(bytes, offset);
  return copy;
}

describe('single-file pack', () => {
  it('round-trips, also from a view into a larger buffer', async () => {
    expect(new TextDecoder().decode(packed.subarray(0, 4))).toBe('DPCK');
    const padded = new Uint8Array(packed.byteLength + 10);
    padded.set(packed, 5);
    for (const input of [packed, packed.buffer, padded.subarray(5, 5 + packed.byteLength)]) {
      const raw = unpackCheckpoint(input);
      expect(sameBytes(raw.weights, enc.weights)).toBe(true);
      const dec = await decodeCheckpoint(raw.modelJson, raw.weights);
      expect(dec.manifest).toEqual(enc.modelJson);
    }
  });

  it('rejects wrong magic, another version, truncation and bad JSON', async () => {
    await expectCheckpointError(
      () => unpackCheckpoint(patched(0, [0x50, 0x4b, 0x03, 0x04]), 'model.zip'),
      'format',
      'model.zip is not a Diffusion Playground checkpoint (it starts with "PK\\u0003\\u0004", expected "DPCK")',
    );
    await expectCheckpointError(
      () => unpackCheckpoint(patched(4, [2, 0, 0, 0])),
      'version',
      'checkpoint container version 2 is not supported (this app reads version 1)',
    );
    await expectCheckpointError(
      () => unpackCheckpoint(packed.subarray(0, 7)),
      'corrupt',
      'file has only 7 bytes, too few for a checkpoint header',
    );
    await expectCheckpointError(
      () => unpackCheckpoint(packed.subarray(0, 100)),
      'corrupt',
      /^file is truncated: its header announces a \d+-byte model.json but only 88 bytes follow$/,
    );
    // Truncated inside the weights: the header is fine, the byte count check catches it.
    const short = unpackCheckpoint(packed.subarray(0, packed.byteLength - 2));
    await expectCheckpointError(
      () => decodeCheckpoint(short.modelJson, short.weights),
      'corrupt',
      /weights.bin has \d+ bytes but the manifest describes \d+ \(truncated\)/,
    );
    await expectCheckpointError(
      () => unpackCheckpoint(patched(12, [0x7d])), // '}' where '{' belongs
      'format',
      /^file: model.json is not valid JSON: /,
    );
    await expectCheckpointError(
      () => unpackCheckpoint(new TextEncoder().encode('{"format": 1}')),
      'format',
      /looks like a model.json, not a packed checkpoint/,
    );
  });
});

describe('two uploaded files', () => {
  it('round-trip through fromFiles', async () => {
    const raw = fromFiles(modelJsonText(enc), new Uint8Array(enc.weights));
    const dec = await decodeCheckpoint(raw.modelJson, raw.weights);
    expect(dec.manifest).toEqual(enc.modelJson);
  });

  it('reject a model.json that is not JSON', async () => {
    await expectCheckpointError(
      () => fromFiles('{"format": ', enc.weights),
      'format',
      /^model.json is not valid JSON: /,
    );
  });
});

describe('validateCheckpointName (browser store keys)', () => {
  it('trims and accepts ordinary names, rejects empty, long or control characters', async () => {
    expect(validateCheckpointName('  mnist small  ')).toBe('mnist small');
    for (const bad of ['', '   ', 'a'.repeat(101), 'a\nb', 3]) {
      await expectCheckpointError(() => validateCheckpointName(bad), 'format', /checkpoint name/);
    }
  });
});
