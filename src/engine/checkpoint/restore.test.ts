import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UNet } from '../../model/unet';
import { assignParams, createUNetFromCheckpoint } from './restore';
import { decodeCheckpoint, encodeCheckpoint } from './serialize';
import {
  editWeights,
  expectCheckpointError,
  expectSameValues,
  jsonCopy,
  tinyMeta,
  tinyModel,
  useCpu,
} from './testFixtures';
import type { EncodedCheckpoint } from './types';

let inUse: UNet; // the model "in use" that failed loads must not touch
let other: UNet;
let otherEnc: EncodedCheckpoint;

async function snapshot(m: UNet): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const [name, v] of m.params) out.set(name, ((await v.data()) as Float32Array).slice());
  return out;
}

beforeAll(async () => {
  await useCpu();
  inUse = tinyModel(1);
  other = tinyModel(2);
  otherEnc = await encodeCheckpoint(other.params, tinyMeta(other));
});
afterAll(() => {
  inUse.dispose();
  other.dispose();
});

describe('restoring weights', () => {
  it('creates a new UNet with the checkpoint values and config; disposing frees all', async () => {
    const baseline = tf.memory().numTensors;
    const loaded = createUNetFromCheckpoint(
      await decodeCheckpoint(otherEnc.modelJson, otherEnc.weights),
    );
    expect(loaded.config).toEqual(other.config);
    expect(loaded.variables().every((v) => v.trainable)).toBe(true);
    expectSameValues(await snapshot(loaded), await snapshot(other));
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('assigns into existing variables', async () => {
    const target = tinyModel(3);
    const vars = target.variables();
    assignParams(target.params, await decodeCheckpoint(otherEnc.modelJson, otherEnc.weights));
    expect(target.variables().every((v, i) => v === vars[i])).toBe(true); // same objects
    expectSameValues(await snapshot(target), await snapshot(other));
    target.dispose();
  });

  it('leaves the model in use and the tensor count untouched when a load fails', async () => {
    const before = await snapshot(inUse);
    const baseline = tf.memory().numTensors;
    const nan = editWeights(otherEnc, (_, view) => view.setFloat32(8, NaN, true));
    const badShape = jsonCopy(otherEnc.modelJson);
    (badShape.modelConfig as { baseChannels: number }).baseChannels = 16;
    await expectCheckpointError(() => decodeCheckpoint(nan.modelJson, nan.weights), 'nan', /NaN/);
    await expectCheckpointError(
      () => decodeCheckpoint(badShape, otherEnc.weights),
      'shape',
      /shape/,
    );
    await expectCheckpointError(
      () => decodeCheckpoint(otherEnc.modelJson, otherEnc.weights.slice(1)),
      'corrupt',
      /bytes/,
    );
    expect(tf.memory().numTensors).toBe(baseline);
    expectSameValues(await snapshot(inUse), before);
  });

  it('assignParams checks every weight before writing any', async () => {
    const before = await snapshot(inUse);
    const baseline = tf.memory().numTensors;
    const dec = await decodeCheckpoint(otherEnc.modelJson, otherEnc.weights);
    // The model in use lacks a weight that comes late in the checkpoint: nothing may be written.
    const partial = new Map(inUse.params);
    partial.delete('conv_out.b');
    await expectCheckpointError(
      () => assignParams(partial, dec),
      'mismatch',
      'checkpoint has weight conv_out.b that the model in use does not have',
    );
    const fewer = { ...dec, values: new Map([...dec.values].filter(([n]) => n !== 'conv_out.b')) };
    await expectCheckpointError(
      () => assignParams(inUse.params, fewer),
      'mismatch',
      'checkpoint is missing weight conv_out.b that the model in use has',
    );
    const wide = tinyModel(4);
    const wideParams = new Map(wide.params);
    const w = wideParams.get('conv_out.w')!;
    wideParams.set(
      'conv_out.w',
      tf.tidy(() => tf.variable(tf.zeros([3, 3, 8, 2]))),
    );
    await expectCheckpointError(
      () => assignParams(wideParams, dec),
      'shape',
      'weight conv_out.w has shape [3,3,8,1] in the checkpoint but [3,3,8,2] in the model in use',
    );
    wideParams.get('conv_out.w')!.dispose();
    w.dispose();
    wide.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
    expectSameValues(await snapshot(inUse), before);
  });
});
