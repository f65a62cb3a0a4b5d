// The classifier-gradient parity check on wasm against cpu (the same code runs on WebGPU in the
// e2e parity test): the two CPU backends agree to float32 summation order, no tensor is left
// behind and the original backend is active again.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initWasmForTests } from './backends/testing';
import { MNIST_NOISY_CLASSIFIER } from '../model/noisyClassifier';
import { runClassifierGradientParity } from './classifierGuideParity';
import { CPU_TOLERANCE } from './parity';

beforeAll(async () => {
  await initWasmForTests();
});

describe('runClassifierGradientParity', () => {
  it('finds g = ∇ log p(y | x_t, t) on wasm equal to cpu, leaking nothing', async () => {
    const before = tf.memory().numTensors;
    const r = await runClassifierGradientParity({ backend: 'wasm' });
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.memory().numTensors).toBe(before);
    expect(r.leakedTensors).toBe(0);
    expect(r.tolerance).toEqual({ grad: CPU_TOLERANCE.grad, probs: CPU_TOLERANCE.output });
    expect(r.pass).toBe(true);
    expect(r.gradRelErr).toBeLessThan(1e-5);
    expect(r.probsMaxAbsDiff).toBeLessThan(1e-6);
    // The shipped classifier's own size agrees too.
    const shipped = await runClassifierGradientParity({
      backend: 'wasm',
      config: MNIST_NOISY_CLASSIFIER,
    });
    expect(shipped.pass).toBe(true);
    expect(shipped.gradRelErr).toBeLessThan(1e-5);
  }, 60_000);

  it('fails fast on a backend that cannot start, and restores the original backend', async () => {
    await expect(runClassifierGradientParity({ backend: 'webgpu-missing' })).rejects.toThrow(
      /backend 'webgpu-missing'/,
    );
    expect(tf.getBackend()).toBe('wasm');
  });
});
