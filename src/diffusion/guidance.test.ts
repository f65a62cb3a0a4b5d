import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { guidedEps } from './guidance';
import { expectNoLeak, expectTensorClose, useCpu } from './test-utils/tf';

beforeAll(useCpu);

describe('guidedEps (classifier-free guidance)', () => {
  it('s = 0 → ε_u, s = 1 → ε_c, s = 3 extrapolates', async () => {
    await expectNoLeak(async () => {
      const u = tf.tensor1d([1, 2, -1]);
      const c = tf.tensor1d([0.5, 2.5, 1]);
      const g0 = guidedEps(u, c, 0);
      const g1 = guidedEps(u, c, 1);
      const g3 = guidedEps(u, c, 3);
      await expectTensorClose(g0, u, 0);
      await expectTensorClose(g1, c, 1e-7);
      await expectTensorClose(g3, [1 + 3 * -0.5, 2 + 3 * 0.5, -1 + 3 * 2]);
      tf.dispose([u, c, g0, g1, g3]);
    });
  });

  it('validates', () => {
    const u = tf.zeros([2]);
    const c = tf.zeros([3]);
    expect(() => guidedEps(u, c, 1)).toThrow(/shapes differ/);
    expect(() => guidedEps(u, u, Number.NaN)).toThrow(/finite/);
    tf.dispose([u, c]);
  });
});
