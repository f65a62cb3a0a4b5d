// The whole U-Net on wasm (with every replaced or added kernel: fused GroupNorm, conv gradients,
// BatchMatMul, Slice/SplitV, Sum, Identity/Cast, resize gradient) against cpu: the loss, every
// parameter's gradient and the input gradient, for a small class-conditional config with
// attention, resampling, dropout and a non-zero init.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { UNetConfig } from '../../model/config';
import { UNet } from '../../model/unet';
import { initWasmForTests, onBackend, randomValues, relError } from './testing';

const config: UNetConfig = {
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
const B = 3;

function run(): tf.Tensor[] {
  const model = UNet.create(config, { seed: 7, zeroInit: false });
  const shape = [B, 8, 8, 2];
  const x = tf.tensor4d(randomValues(B * 128, 1), shape as [number, number, number, number]);
  const target = tf.tensor4d(randomValues(B * 128, 2), shape as [number, number, number, number]);
  const t = tf.tensor1d([3, 500, 999], 'int32');
  const y = tf.tensor1d([0, 2, 3], 'int32');
  const vars = model.variables();
  const f = (xx: tf.Tensor) =>
    tf.losses.meanSquaredError(
      target,
      model.apply(xx as tf.Tensor4D, t, y, { training: true, dropoutSeed: 4 }),
    ) as tf.Scalar;
  const { value, grads } = tf.variableGrads(() => f(x), vars);
  const dx = tf.grad(f)(x);
  const out = [value, dx, ...vars.map((v) => grads[v.name])];
  model.dispose();
  return out;
}

describe('U-Net training gradients on wasm', () => {
  beforeAll(initWasmForTests);

  it('match the cpu backend', async () => {
    const want = await onBackend('cpu', run);
    const got = await onBackend('wasm', run);
    const probe = UNet.create(config);
    const names = ['loss', 'dx', ...probe.params.keys()];
    probe.dispose();
    expect(got.length).toBe(want.length);
    const worst = got
      .map((g, i) => [names[i], relError(g, want[i])] as const)
      .sort((a, b) => b[1] - a[1]);
    expect(worst[0][1], `worst: ${worst[0][0]}`).toBeLessThan(1e-4);
  });
});
