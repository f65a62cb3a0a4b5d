import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UNet } from '../../model/unet';
import { summarizeManifest, validateManifest } from './manifest';
import { encodeCheckpoint } from './serialize';
import { expectCheckpointError, jsonCopy, tinyMeta, tinyModel, useCpu } from './testFixtures';
import type { CheckpointManifest } from './types';

let model: UNet;
let manifest: CheckpointManifest;

beforeAll(async () => {
  await useCpu();
  model = tinyModel();
  manifest = (await encodeCheckpoint(model.params, tinyMeta(model))).modelJson;
});
afterAll(() => model.dispose());

type Json = Record<string, unknown>;

/** validateManifest of a copy that `edit` has damaged. */
function damaged(edit: (m: Json & { modelConfig: Json; schedule: Json }) => void) {
  const m = jsonCopy(manifest) as Json & { modelConfig: Json; schedule: Json };
  edit(m);
  return () => validateManifest(m);
}

function firstGroup(m: Json): { weights: Json[] } {
  return (m.weightsManifest as Array<{ weights: Json[] }>)[0];
}

describe('validateManifest', () => {
  it('accepts what encodeCheckpoint writes and is a tfjs weights manifest', () => {
    const m = validateManifest(jsonCopy(manifest));
    expect(m).toEqual(manifest);
    const tfjs: tf.io.WeightsManifestConfig = m.weightsManifest; // type-level compatibility
    expect(tf.io.getWeightSpecs(tfjs)).toHaveLength(model.params.size);
  });

  it('drops unknown fields', () => {
    const m = validateManifest({ ...jsonCopy(manifest), junk: 1 });
    expect('junk' in m).toBe(false);
  });

  it('rejects a non-object and a foreign format', async () => {
    await expectCheckpointError(() => validateManifest([1]), 'format', /must be a JSON object/);
    await expectCheckpointError(
      damaged((m) => delete m.format),
      'format',
      /has no 'format' field.*Diffusion Playground checkpoint/,
    );
    await expectCheckpointError(
      damaged((m) => (m.format = 'layers-model')),
      'format',
      `model.json format is "layers-model", expected "diffusion-playground-checkpoint"`,
    );
  });

  it('rejects another format version', async () => {
    await expectCheckpointError(
      damaged((m) => (m.formatVersion = 2)),
      'version',
      /^checkpoint formatVersion 2 is not supported \(this app reads version 1; it was written by a newer app\)$/,
    );
    await expectCheckpointError(
      damaged((m) => delete m.formatVersion),
      'format',
      `model.json is missing field 'formatVersion'`,
    );
    await expectCheckpointError(
      damaged((m) => (m.formatVersion = '1')),
      'version',
      /^checkpoint formatVersion "1" is not supported \(this app reads version 1\)$/,
    );
  });

  it('names a missing or mistyped field', async () => {
    await expectCheckpointError(
      damaged((m) => delete m.trainingSteps),
      'format',
      `model.json is missing field 'trainingSteps'`,
    );
    await expectCheckpointError(
      damaged((m) => (m.ema = 'yes')),
      'format',
      `model.json field 'ema' must be true or false, got "yes"`,
    );
    await expectCheckpointError(
      damaged((m) => (m.modelConfig.channelMults = [1, 'two'])),
      'format',
      /field 'modelConfig.channelMults' must be an array of integers/,
    );
    await expectCheckpointError(
      damaged((m) => (m.training = { batch: 0 })),
      'format',
      /field 'training.batch' must be an integer >= 1, got 0/,
    );
    await expectCheckpointError(
      damaged((m) => (m.createdAt = 'yesterday')),
      'format',
      /'createdAt' must be an ISO 8601 date/,
    );
  });

  it('rejects a bad model config, schedule, data set or class list', async () => {
    await expectCheckpointError(
      damaged((m) => (m.modelConfig.groups = 3)),
      'config',
      /modelConfig is invalid: .*not divisible by groups 3/s,
    );
    await expectCheckpointError(
      damaged((m) => (m.schedule.T = 1)),
      'config',
      /schedule is invalid: T must be an integer in \[2, /,
    );
    await expectCheckpointError(
      damaged((m) => (m.schedule = { kind: 'cosine', T: 100, scaled: true })),
      'config',
      /schedule is invalid: scaled applies only to the linear schedule/,
    );
    await expectCheckpointError(
      damaged((m) => (m.schedule.kind = 'sigmoid')),
      'format',
      /'schedule.kind' must be "linear" or "cosine", got "sigmoid"/,
    );
    await expectCheckpointError(
      damaged((m) => (m.dataset = 'imagenet')),
      'format',
      /'dataset' must be one of "mnist", "cifar10"/,
    );
    await expectCheckpointError(
      damaged((m) => (m.dataset = 'cifar10')),
      'config',
      'checkpoint modelConfig takes 28x28x1 images but data set cifar10 has 32x32x3',
    );
    await expectCheckpointError(
      damaged((m) => (m.classNames = ['a', 'b'])),
      'config',
      'checkpoint has 2 classNames but modelConfig.numClasses is 10',
    );
    // A 100 000-character name made the Class select 1.1M px wide.
    await expectCheckpointError(
      damaged((m) => ((m.classNames as string[])[3] = 'x'.repeat(100_000))),
      'config',
      'checkpoint classNames[3] must be 1-40 characters (it has 100000)',
    );
    await expectCheckpointError(
      damaged((m) => ((m.classNames as string[])[0] = '  ')),
      'config',
      'checkpoint classNames[0] must be 1-40 characters (it has 2)',
    );
  });

  it('names a weight of the wrong shape', async () => {
    await expectCheckpointError(
      damaged(
        (m) => (firstGroup(m).weights.find((w) => w.name === 'conv_in.w')!.shape = [3, 3, 1, 16]),
      ),
      'shape',
      'weight conv_in.w has shape [3,3,1,16] but the model config needs [3,3,1,8]',
    );
    // A config change that alters shapes is caught the same way.
    await expectCheckpointError(
      damaged((m) => (m.modelConfig.baseChannels = 16)),
      'shape',
      /^weight \S+ has shape \[.*\] but the model config needs \[.*\]$/,
    );
  });

  it('names an extra, a missing or a duplicated weight', async () => {
    await expectCheckpointError(
      damaged((m) => firstGroup(m).weights.push({ name: 'foo.w', shape: [1], dtype: 'float32' })),
      'mismatch',
      'manifest lists weight foo.w that the model does not have',
    );
    await expectCheckpointError(
      damaged(
        (m) =>
          (firstGroup(m).weights = firstGroup(m).weights.filter((w) => w.name !== 'norm_out.beta')),
      ),
      'mismatch',
      /^missing weight norm_out.beta: /,
    );
    await expectCheckpointError(
      damaged((m) => (m.modelConfig.numClasses = 0)),
      'mismatch',
      'manifest lists weight class_emb.table that the model does not have',
    );
    await expectCheckpointError(
      damaged((m) => firstGroup(m).weights.push(firstGroup(m).weights[0])),
      'format',
      'model.json lists weight temb.dense0.w twice',
    );
  });

  it('rejects weight entries tfjs would not read as ours', async () => {
    await expectCheckpointError(
      damaged((m) => (firstGroup(m).weights[0].dtype = 'float16')),
      'format',
      /has dtype 'float16'; tfjs stores float16 weights as dtype 'float32' with quantization/,
    );
    await expectCheckpointError(
      damaged(
        (m) => (firstGroup(m).weights[0].quantization = { dtype: 'uint8', min: 0, scale: 1 }),
      ),
      'format',
      /quantization .*only \{"dtype": "float16"\} is supported/,
    );
    await expectCheckpointError(
      damaged(
        (m) => ((m.weightsManifest as Json[])[0].paths = ['group1-shard1of2', 'group1-shard2of2']),
      ),
      'format',
      /'weightsManifest\[0\].paths' must be \["weights.bin"\] \(sharded weights are not supported\)/,
    );
  });

  it('summarizes without weights', () => {
    const s = summarizeManifest(manifest);
    expect(s).toMatchObject({ dataset: 'mnist', trainingSteps: 1234, storage: 'float32' });
    expect(s.numParams).toBe(model.numParams);
    expect(s.weightBytes).toBe(4 * model.numParams);
  });
});
