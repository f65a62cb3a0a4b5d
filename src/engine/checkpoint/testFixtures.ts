// Shared by the checkpoint tests (not imported by app code).
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { getPreset } from '../../model/presets';
import { UNet } from '../../model/unet';
import { crc32Hex } from './crc32';
import { CheckpointError, type CheckpointErrorCode } from './errors';
import type { CheckpointManifest, CheckpointMeta, EncodedCheckpoint } from './types';
import { entryByteLength, weightEntries } from './weightsManifest';

export async function useCpu(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

/** The tiny MNIST preset (45k parameters), with non-zero values everywhere. */
export function tinyModel(seed = 1): UNet {
  return UNet.create(getPreset('mnist', 'tiny'), { seed, zeroInit: false });
}

export function tinyMeta(model: UNet): CheckpointMeta {
  return {
    modelConfig: model.config,
    schedule: { kind: 'linear', T: 1000 },
    dataset: 'mnist',
    classNames: Array.from({ length: 10 }, (_, i) => String(i)),
    trainingSteps: 1234,
    ema: true,
    createdAt: '2026-01-02T03:04:05.000Z',
    training: { batch: 64, learningRate: 2e-4, pUncond: 0.1, seed: 7, wallTimeSeconds: 12.5 },
  };
}

/** A deep copy of the manifest as plain JSON, to damage in a test. */
export function jsonCopy(m: CheckpointManifest): Record<string, unknown> {
  return JSON.parse(JSON.stringify(m)) as Record<string, unknown>;
}

/** Byte offset of a weight in weights.bin. */
export function weightOffset(m: CheckpointManifest, name: string): number {
  let offset = 0;
  for (const e of weightEntries(m)) {
    if (e.name === name) return offset;
    offset += entryByteLength(e);
  }
  throw new Error(`no weight ${name}`);
}

/** Copies the checkpoint, lets `edit` change the weight bytes, and fixes the checksum. */
export function editWeights(
  enc: EncodedCheckpoint,
  edit: (bytes: Uint8Array, view: DataView) => void,
): EncodedCheckpoint {
  const bytes = new Uint8Array(enc.weights.slice(0));
  edit(bytes, new DataView(bytes.buffer));
  return { modelJson: { ...enc.modelJson, weightsCrc32: crc32Hex(bytes) }, weights: bytes.buffer };
}

/** Asserts that fn throws (or rejects with) a CheckpointError with this code and message. */
export async function expectCheckpointError(
  fn: () => unknown,
  code: CheckpointErrorCode,
  message: RegExp | string,
): Promise<CheckpointError> {
  let caught: unknown;
  try {
    await fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected a CheckpointError').toBeInstanceOf(CheckpointError);
  const err = caught as CheckpointError;
  expect({ code: err.code, message: err.message }).toEqual({
    code,
    message: typeof message === 'string' ? message : expect.stringMatching(message),
  });
  return err;
}

/** Bitwise equality of two name -> values maps (fast: vitest's deep equality is slow on 45k floats). */
export function expectSameValues(
  actual: ReadonlyMap<string, Float32Array>,
  expected: ReadonlyMap<string, Float32Array>,
): void {
  expect([...actual.keys()]).toEqual([...expected.keys()]);
  for (const [name, e] of expected) {
    const a = actual.get(name)!;
    const same = Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
      Buffer.from(e.buffer, e.byteOffset, e.byteLength),
    );
    expect(same, `values of ${name}`).toBe(true);
  }
}

/** Byte equality, fast on large arrays. */
export function sameBytes(a: ArrayBuffer | Uint8Array, b: ArrayBuffer | Uint8Array): boolean {
  return Buffer.from(a instanceof Uint8Array ? a : new Uint8Array(a)).equals(
    Buffer.from(b instanceof Uint8Array ? b : new Uint8Array(b)),
  );
}
