import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { UNetConfig } from './config';
import { getPreset } from './presets';
import { randomValues, values } from './testUtil';
import { UNet, type ApplyOptions } from './unet';

// Two levels (8 -> 4), attention at 4x4, class-conditional with 3 classes + null: a few ms per pass.
const cfg: UNetConfig = {
  imageSize: 8,
  inChannels: 2,
  baseChannels: 8,
  channelMults: [1, 2],
  numResBlocks: 1,
  attentionResolutions: [4],
  groups: 4,
  dropout: 0.1,
  numClasses: 3,
};

function inputs(c: UNetConfig, batch: number, seed = 1) {
  const { imageSize: s, inChannels: ch } = c;
  const x = tf.tensor4d(randomValues(batch * s * s * ch, seed), [batch, s, s, ch]);
  const t = tf.tensor1d(
    Array.from({ length: batch }, (_, i) => (i * 137) % 1000),
    'int32',
  );
  return { x, t };
}

async function forward(
  model: UNet,
  y: number[] | null,
  opts: ApplyOptions = { training: false },
  seed = 1,
) {
  const batch = y?.length ?? 2;
  const { x, t } = inputs(model.config, batch, seed);
  const yt = y ? tf.tensor1d(y, 'int32') : null;
  const out = model.apply(x, t, yt, opts);
  const v = await values(out);
  tf.dispose([x, t, out, ...(yt ? [yt] : [])]);
  return v;
}

function mseLoss(model: UNet, x: tf.Tensor4D, t: tf.Tensor1D, y: tf.Tensor1D, target: tf.Tensor4D) {
  return () =>
    tf.mean(
      tf.square(tf.sub(model.apply(x, t, y, { training: true, dropoutSeed: 5 }), target)),
    ) as tf.Scalar;
}

/** Names of variables whose gradient is all zero; throws on a non-finite gradient. */
async function zeroGradNames(model: UNet, labels: number[]): Promise<string[]> {
  const batch = labels.length;
  const { x, t } = inputs(model.config, batch, 2);
  const y = tf.tensor1d(labels, 'int32');
  const target = tf.randomNormal(x.shape, 0, 1, 'float32', 9) as tf.Tensor4D;
  const { value, grads } = tf.variableGrads(mseLoss(model, x, t, y, target), model.variables());
  const zero: string[] = [];
  for (const [name, v] of model.params) {
    const g = await grads[v.name].data();
    for (const e of g) if (!Number.isFinite(e)) throw new Error(`non-finite gradient for ${name}`);
    if (g.every((e) => e === 0)) zero.push(name);
  }
  tf.dispose([x, t, y, target, value, ...Object.values(grads)]);
  return zero;
}

describe('UNet forward', () => {
  it.each(['mnist', 'cifar10'] as const)('keeps the input shape (%s tiny)', (dataset) => {
    const model = UNet.create(getPreset(dataset, 'tiny'));
    const { x, t } = inputs(model.config, 2);
    const y = tf.tensor1d([3, 10], 'int32'); // 10 = the null class
    const out = model.apply(x, t, y);
    expect(out.shape).toEqual(x.shape);
    expect(out.dtype).toBe('float32');
    tf.dispose([x, t, y, out]);
    model.dispose();
  });

  it('predicts exactly 0 at the DDPM init (zero-initialised conv_out)', async () => {
    const model = UNet.create(cfg, { seed: 1 });
    expect((await forward(model, [0, 1])).every((v) => v === 0)).toBe(true);
    model.dispose();
  });

  it('is deterministic for a seed, and differs between seeds', async () => {
    const a = UNet.create(cfg, { seed: 3, zeroInit: false });
    const b = UNet.create(cfg, { seed: 3, zeroInit: false });
    const c = UNet.create(cfg, { seed: 4, zeroInit: false });
    const ya = await forward(a, [0, 2]);
    expect(await forward(b, [0, 2])).toEqual(ya);
    expect(await forward(c, [0, 2])).not.toEqual(ya);
    // Dropout masks are reproducible with a dropoutSeed, and change with it.
    const d1 = await forward(a, [0, 2], { training: true, dropoutSeed: 1 } as {
      training: boolean;
    });
    expect(await forward(b, [0, 2], { training: true, dropoutSeed: 1 })).toEqual(d1);
    expect(await forward(a, [0, 2], { training: true, dropoutSeed: 2 })).not.toEqual(d1);
    expect(d1).not.toEqual(ya);
    [a, b, c].forEach((m) => m.dispose());
  });

  it('uses the class label, and y = null means the null class', async () => {
    const model = UNet.create(cfg, { seed: 5, zeroInit: false });
    const y01 = await forward(model, [0, 1]);
    const y21 = await forward(model, [2, 1]);
    const n = y01.length / 2;
    expect(y21.slice(0, n)).not.toEqual(y01.slice(0, n)); // label changed
    expect(y21.slice(n)).toEqual(y01.slice(n)); // same label, same output
    const nullLabels = await forward(model, [3, 3]);
    expect(await forward(model, null)).toEqual(nullLabels);
    expect(nullLabels).not.toEqual(y01);
    model.dispose();
  });

  it('rejects bad inputs with clear errors', () => {
    const model = UNet.create(cfg);
    const uncond = UNet.create({ ...cfg, numClasses: 0 });
    const { x, t } = inputs(cfg, 2);
    const y = tf.tensor1d([0, 1], 'int32');
    const bad = tf.zeros([2, 4, 4, 2]) as tf.Tensor4D;
    expect(() => model.apply(bad, t, y)).toThrow(/x must be \[B, 8, 8, 2\]/);
    expect(() => uncond.apply(x, t, y)).toThrow(/unconditional/);
    tf.dispose([x, t, y, bad]);
    model.dispose();
    uncond.dispose();
  });
});

describe('UNet gradients', () => {
  it('reach every variable, finite and non-zero (perturbed init: zeroInit false)', async () => {
    const model = UNet.create(cfg, { seed: 11, zeroInit: false });
    // Labels cover all rows of the class table, null included.
    expect(await zeroGradNames(model, [0, 1, 2, 3])).toEqual([]);
    model.dispose();
  });

  it('at the DDPM zero init reach only conv_out, and everything after 3 Adam steps', async () => {
    // One class + null keeps the batch at 2 while still touching every row of the class table.
    const small = { ...cfg, numClasses: 1 };
    const model = UNet.create(small, { seed: 11 });
    const labels = [0, 1];
    const zero = await zeroGradNames(model, labels);
    expect(zero.length).toBe(model.params.size - 2);
    expect(zero).not.toContain('conv_out.w');
    expect(zero).not.toContain('conv_out.b');
    // Step 1 wakes conv_out, step 2 the zero-initialised residual outputs, step 3 the rest.
    const opt = tf.train.adam(1e-2);
    const { x, t } = inputs(small, 2, 2);
    const y = tf.tensor1d(labels, 'int32');
    const target = tf.randomNormal(x.shape, 0, 1, 'float32', 9) as tf.Tensor4D;
    for (let i = 0; i < 3; i++) {
      opt.minimize(mseLoss(model, x, t, y, target), false, model.variables()); // returns null
    }
    expect(await zeroGradNames(model, labels)).toEqual([]);
    tf.dispose([x, t, y, target]);
    opt.dispose();
    model.dispose();
  });
});

describe('UNet memory', () => {
  it('returns tf.memory().numTensors to the baseline after forward and gradient passes', async () => {
    const before = tf.memory().numTensors;
    const model = UNet.create(cfg, { zeroInit: false });
    const baseline = tf.memory().numTensors;
    expect(baseline - before).toBe(model.params.size);
    await forward(model, [0, 3]);
    await forward(model, null, { training: true });
    await zeroGradNames(model, [1, 2]);
    expect(tf.memory().numTensors).toBe(baseline);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
