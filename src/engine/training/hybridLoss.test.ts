// A U-Net that learns Σ_θ (Nichol & Dhariwal 2021): output shapes, the zero-initialised widening
// of an ε-only model, the checkpoint round trip, and L_hybrid (eq. 16) with its stop-gradient.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeSchedule } from '../../diffusion/schedule';
import { learnedLogVarianceTensor, vlbTermsBpd } from '../../diffusion/vlbTensor';
import { countParams } from '../../model/params';
import { getPreset } from '../../model/presets';
import { UNet, splitOutput, withLearnedSigma } from '../../model/unet';
import type { UNetConfig } from '../../model/config';
import { createUNetFromCheckpoint, decodeCheckpoint, encodeCheckpoint } from '../checkpoint';
import { tinyMeta } from '../checkpoint/testFixtures';
import { diffusionLoss, HYBRID_LAMBDA } from './loss';
import { microConfig } from './testing';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

const values = async (t: tf.Tensor) => Array.from(await t.data());
const schedule = makeSchedule({ kind: 'linear', T: 100 });
/** Patched (2×2 patches) and class-conditional, like the shipped compact models. */
const patched = (learnSigma: boolean): UNetConfig => ({
  ...microConfig(),
  patchSize: 2,
  ...(learnSigma ? { learnSigma: true } : {}),
});

function batch() {
  return {
    x0: tf.randomUniform([3, 8, 8, 1], -1, 1, 'float32', 6) as tf.Tensor4D,
    t: tf.tensor1d([0, 40, 99], 'int32'),
    y: tf.tensor1d([0, 1, 3], 'int32'),
    noise: tf.randomNormal([3, 8, 8, 1], 0, 1, 'float32', 5) as tf.Tensor4D,
  };
}

describe('a U-Net with learnSigma', () => {
  it('outputs 2C channels (ε̂ then v), apply gives ε̂ alone, and conv_out has twice the outputs', async () => {
    const unet = UNet.create(patched(true), { seed: 2, zeroInit: false });
    const x = tf.randomNormal([2, 8, 8, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
    const t = tf.tensor1d([3, 70], 'int32');
    const before = tf.memory().numTensors;
    const out = unet.applyOutput(x, t);
    const eps = unet.apply(x, t);
    expect(out.shape).toEqual([2, 8, 8, 2]);
    expect(eps.shape).toEqual([2, 8, 8, 1]);
    const split = splitOutput(unet.config, out);
    expect(await values(split.eps)).toEqual(await values(eps));
    expect(split.v?.shape).toEqual([2, 8, 8, 1]);
    tf.dispose([out, eps, split.eps, split.v as tf.Tensor]);
    expect(tf.memory().numTensors).toBe(before);
    expect(unet.params.get('conv_out.w')?.shape).toEqual([3, 3, 4, 8]); // 2·(2·2·1)
    expect(countParams(unet.config)).toBe(unet.numParams);
    tf.dispose([x, t]);
    unet.dispose();
  });

  it('withLearnedSigma keeps an ε-only model’s ε̂ exactly and starts at v = 0', async () => {
    const base = UNet.create(patched(false), { seed: 4, zeroInit: false });
    const wide = withLearnedSigma(base);
    expect(wide.config.learnSigma).toBe(true);
    const x = tf.randomNormal([2, 8, 8, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
    const t = tf.tensor1d([5, 60], 'int32');
    const y = tf.tensor1d([2, 3], 'int32');
    const e0 = base.apply(x, t, y);
    const out = wide.applyOutput(x, t, y);
    const { eps, v } = splitOutput(wide.config, out);
    expect(await values(eps)).toEqual(await values(e0));
    expect((await values(v as tf.Tensor)).every((a) => a === 0)).toBe(true);
    tf.dispose([x, t, y, e0, out, eps, v as tf.Tensor]);
    // Separate variables: disposing one model leaves the other usable.
    base.dispose();
    expect(wide.params.get('conv_in.w')?.isDisposed).toBe(false);
    wide.dispose();
    expect(() => withLearnedSigma(UNet.create(patched(true)))).toThrow(/already learns/);
  });

  it('round-trips through a checkpoint; a checkpoint without the field predicts ε only', async () => {
    const config = { ...getPreset('mnist', 'tiny'), learnSigma: true };
    const unet = UNet.create(config, { seed: 5, zeroInit: false });
    const enc = await encodeCheckpoint(unet.params, tinyMeta(unet));
    const decoded = await decodeCheckpoint(enc.modelJson, enc.weights);
    expect(decoded.manifest.modelConfig.learnSigma).toBe(true);
    const back = createUNetFromCheckpoint(decoded);
    const outCh = (u: UNet) => u.params.get('conv_out.w')?.shape[3];
    const old = UNet.create(getPreset('mnist', 'tiny'), { seed: 5 });
    expect(outCh(back)).toBe(2 * (outCh(old) as number));
    back.dispose();
    unet.dispose();

    const encOld = await encodeCheckpoint(old.params, tinyMeta(old));
    expect('learnSigma' in encOld.modelJson.modelConfig).toBe(false);
    const decOld = await decodeCheckpoint(encOld.modelJson, encOld.weights);
    expect(decOld.manifest.modelConfig.learnSigma).toBeUndefined();
    old.dispose();
  });
});

describe('L_hybrid (Nichol & Dhariwal 2021, eq. 16)', () => {
  it('is mean (ε − ε̂)² + λ·T·L_t per example, with L_t from the model’s v', async () => {
    const unet = UNet.create(patched(true), { seed: 7, zeroInit: false });
    const { x0, t, y, noise } = batch();
    const before = tf.memory().numTensors;
    const { loss, perExample } = diffusionLoss(unet, schedule, { x0, t, y, noise });
    expect(tf.memory().numTensors).toBe(before + 2);
    // Independently: the forward pass, then L_simple and L_t by hand.
    const want = tf.tidy(() => {
      const ab = tf.tensor1d([0, 40, 99].map((i) => schedule.alphaBars[i])).reshape([3, 1, 1, 1]);
      const xt = tf.add(tf.mul(x0, tf.sqrt(ab)), tf.mul(noise, tf.sqrt(tf.sub(1, ab))));
      const { eps, v } = splitOutput(unet.config, unet.applyOutput(xt as tf.Tensor4D, t, y));
      const mse = tf.mean(tf.square(tf.sub(noise, eps)), [1, 2, 3]);
      const logVariance = learnedLogVarianceTensor(schedule, t, v as tf.Tensor4D);
      const vlb = vlbTermsBpd(schedule, { x0, xt: xt as tf.Tensor4D, t, eps, logVariance });
      return tf.add(mse, tf.mul(vlb, HYBRID_LAMBDA * schedule.T));
    });
    const got = await values(perExample);
    const w = await values(want);
    got.forEach((g, b) => expect(g).toBeCloseTo(w[b], 4));
    expect((await values(loss))[0]).toBeCloseTo((w[0] + w[1] + w[2]) / 3, 4);
    tf.dispose([loss, perExample, want, x0, t, y, noise]);
    unet.dispose();
  });

  it('L_vlb’s gradient reaches v but not the mean (stop-gradient)', async () => {
    const unet = UNet.create(patched(true), { seed: 8, zeroInit: false });
    const twin = UNet.create(patched(false), { seed: 8, zeroInit: false });
    const { x0, t, y, noise } = batch();
    // conv_out.w is [3, 3, 4, 8]: output channels 0–3 give ε̂ (patched), 4–7 give v.
    const convOut = unet.params.get('conv_out.w') as tf.Variable;
    const hybrid = tf.variableGrads(
      () => diffusionLoss(unet, schedule, { x0, t, y, noise }).loss,
      [convOut],
    );
    // L_simple alone, from the same ε̂ weights in an ε-only twin.
    const twinConv = twin.params.get('conv_out.w') as tf.Variable;
    const twinBias = twin.params.get('conv_out.b') as tf.Variable;
    tf.tidy(() => {
      twinConv.assign(tf.slice(convOut, [0, 0, 0, 0], [3, 3, 4, 4]));
      twinBias.assign(tf.slice(unet.params.get('conv_out.b') as tf.Variable, [0], [4]));
      for (const [name, p] of unet.params) {
        if (!name.startsWith('conv_out')) (twin.params.get(name) as tf.Variable).assign(p);
      }
    });
    const simple = tf.variableGrads(
      () => diffusionLoss(twin, schedule, { x0, t, y, noise }).loss,
      [twinConv],
    );
    const g = hybrid.grads[convOut.name];
    const gEps = tf.slice(g, [0, 0, 0, 0], [3, 3, 4, 4]);
    const gV = tf.slice(g, [0, 0, 0, 4], [3, 3, 4, 4]);
    const gSimple = simple.grads[twinConv.name];
    const a = await values(gEps);
    const b = await values(gSimple);
    a.forEach((x, i) => expect(x).toBeCloseTo(b[i], 5));
    expect(Math.max(...(await values(gV)).map(Math.abs))).toBeGreaterThan(1e-4);
    tf.dispose([hybrid.value, simple.value, g, gEps, gV, gSimple, x0, t, y, noise]);
    unet.dispose();
    twin.dispose();
  });
});
