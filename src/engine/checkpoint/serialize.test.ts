import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UNet } from '../../model/unet';
import { decodeCheckpoint, encodeCheckpoint } from './serialize';
import {
  editWeights,
  expectSameValues,
  expectCheckpointError,
  jsonCopy,
  tinyMeta,
  tinyModel,
  useCpu,
  weightOffset,
} from './testFixtures';
import type { EncodedCheckpoint } from './types';

let model: UNet;
let original: Map<string, Float32Array>;
let enc: EncodedCheckpoint;

beforeAll(async () => {
  await useCpu();
  model = tinyModel();
  original = new Map();
  for (const [name, v] of model.params) original.set(name, (await v.data()) as Float32Array);
  enc = await encodeCheckpoint(model.params, tinyMeta(model));
});
afterAll(() => model.dispose());

const decode = (e: EncodedCheckpoint) => decodeCheckpoint(jsonCopy(e.modelJson), e.weights);

describe('encode / decode', () => {
  it('round-trips float32 exactly, through JSON, without creating tensors', async () => {
    const before = tf.memory().numTensors;
    const dec = await decode(enc);
    expect(tf.memory().numTensors).toBe(before);
    expect(enc.weights.byteLength).toBe(4 * model.numParams);
    expect(enc.modelJson.weightsCrc32).toMatch(/^[0-9a-f]{8}$/);
    expect(dec.manifest).toEqual(enc.modelJson);
    expectSameValues(dec.values, original);
  });

  it('accepts weights as a view, e.g. a Node Buffer sharing a larger buffer', async () => {
    const shared = Buffer.concat([Buffer.alloc(3), Buffer.from(enc.weights), Buffer.alloc(5)]);
    const view = shared.subarray(3, 3 + enc.weights.byteLength);
    expectSameValues((await decodeCheckpoint(enc.modelJson, view)).values, original);
  });

  it('writes real tfjs weights: tf.io.decodeWeights reads the same values', async () => {
    const f16 = await encodeCheckpoint(model.params, tinyMeta(model), { dtype: 'float16' });
    const ours = (await decode(f16)).values;
    const specs = tf.io.getWeightSpecs(f16.modelJson.weightsManifest);
    const theirs = tf.io.decodeWeights(f16.weights, specs);
    const theirValues = new Map<string, Float32Array>();
    for (const [name, t] of Object.entries(theirs)) {
      theirValues.set(name, (await t.data()) as Float32Array);
      t.dispose();
    }
    expectSameValues(theirValues, ours);
  });

  it('round-trips float16 within float16 precision, in half the bytes', async () => {
    const f16 = await encodeCheckpoint(model.params, tinyMeta(model), { dtype: 'float16' });
    expect(f16.weights.byteLength).toBe(2 * model.numParams);
    expect(f16.modelJson.weightsManifest[0].weights[0]).toMatchObject({
      dtype: 'float32',
      quantization: { dtype: 'float16' },
    });
    const dec = await decode(f16);
    for (const [name, v] of original) {
      const got = dec.values.get(name)!;
      for (let i = 0; i < v.length; i++) {
        const tol = Math.max(Math.abs(v[i]) * 2 ** -11, 2 ** -25);
        if (Math.abs(got[i] - v[i]) > tol) expect.fail(`${name}[${i}]: ${v[i]} -> ${got[i]}`);
      }
    }
  });

  it('defaults createdAt to now and scaled to false', async () => {
    const { createdAt: _, ...meta } = tinyMeta(model);
    const e = await encodeCheckpoint(model.params, meta);
    expect(Date.now() - Date.parse(e.modelJson.createdAt)).toBeLessThan(60_000);
    expect(e.modelJson.schedule).toEqual({ kind: 'linear', T: 1000, scaled: false });
  });

  it('refuses to save bad metadata, NaN weights or float16 overflow', async () => {
    await expectCheckpointError(
      () => encodeCheckpoint(model.params, { ...tinyMeta(model), classNames: [] }),
      'config',
      /0 classNames/,
    );
    const w = model.params.get('conv_in.b')!;
    const keep = w.clone();
    try {
      w.assign(tf.tensor1d([1, 2, NaN, 4, 5, 6, 7, 8]));
      await expectCheckpointError(
        () => encodeCheckpoint(model.params, tinyMeta(model)),
        'nan',
        'cannot save: weight conv_in.b contains NaN or Inf values (first at index 2: NaN)',
      );
      w.assign(tf.fill([8], 1e5));
      await expectCheckpointError(
        () => encodeCheckpoint(model.params, tinyMeta(model), { dtype: 'float16' }),
        'nan',
        /^cannot save as float16: weight conv_in.b has value 100000 beyond the float16 range/,
      );
    } finally {
      w.assign(keep);
      keep.dispose();
    }
  });
});

describe('decode rejects damaged weights', () => {
  it('truncated or with extra bytes', async () => {
    const n = enc.weights.byteLength;
    await expectCheckpointError(
      () => decodeCheckpoint(enc.modelJson, enc.weights.slice(0, n - 4)),
      'corrupt',
      `weights.bin has ${n - 4} bytes but the manifest describes ${n} (truncated)`,
    );
    const longer = new Uint8Array(n + 3);
    longer.set(new Uint8Array(enc.weights));
    await expectCheckpointError(
      () => decodeCheckpoint(enc.modelJson, longer),
      'corrupt',
      `weights.bin has ${n + 3} bytes but the manifest describes ${n} (extra bytes at the end)`,
    );
  });

  it('a flipped bit (checksum)', async () => {
    const bytes = new Uint8Array(enc.weights.slice(0));
    bytes[100] ^= 0x10;
    await expectCheckpointError(
      () => decodeCheckpoint(enc.modelJson, bytes),
      'corrupt',
      /^weights.bin is corrupt: its CRC-32 is [0-9a-f]{8} but the manifest says [0-9a-f]{8}$/,
    );
  });

  it('NaN or Inf values, naming the weight', async () => {
    const at = weightOffset(enc.modelJson, 'temb.dense1.b');
    for (const [bad, shown] of [
      [NaN, 'NaN'],
      [-Infinity, '-Infinity'],
    ] as const) {
      const e = editWeights(enc, (_, view) => view.setFloat32(at + 4 * 3, bad, true));
      await expectCheckpointError(
        () => decode(e),
        'nan',
        `weight temb.dense1.b contains NaN or Inf values (first at index 3: ${shown})`,
      );
    }
  });

  it('also without a checksum (hand-made files may omit it)', async () => {
    const e = editWeights(enc, (_, view) => view.setFloat32(0, Infinity, true));
    const { weightsCrc32: _, ...noCrc } = e.modelJson;
    await expectCheckpointError(
      () => decodeCheckpoint(noCrc, e.weights),
      'nan',
      /^weight temb.dense0.w contains NaN or Inf/,
    );
  });
});
