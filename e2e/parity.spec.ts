// The U-Net computes the same thing on WebGPU as on the cpu backend: output and every gradient,
// checked inside the app's own worker in headless Chromium.
import { test, expect, backendOf } from './fixtures';

interface Worker {
  parityCheck(opts?: { datasets?: string[] }): Promise<{
    pass: boolean;
    outputRelErr: number;
    gradRelErr: number;
    worstParam: string;
    classifierGradient: { pass: boolean; gradRelErr: number; probsMaxAbsDiff: number; ms: number };
  }>;
}

test('U-Net output and gradients, and the classifier-guidance gradient, on WebGPU match cpu', async ({
  page,
  consoleErrors,
}) => {
  test.setTimeout(240_000);
  await page.goto('./?backend=webgpu');
  expect(await backendOf(page)).toBe('webgpu');
  // The check is exposed for tests and diagnostics on window.__playground (see workerClient.ts).
  const report = await page.evaluate(async () => {
    const w = window as unknown as { __playground: { worker(): Worker } };
    // The MNIST config (28 → 14, attention at 14×14): every kernel of the U-Net. The CIFAR-10
    // config runs the same kernels at 32×32×3; src/engine/parity.test.ts checks both on wasm.
    return w.__playground.worker().parityCheck({ datasets: ['mnist'] });
  });
  console.log('webgpu parity', JSON.stringify(report));
  expect(report.pass).toBe(true);
  expect(report.outputRelErr).toBeLessThan(1e-3);
  expect(report.gradRelErr).toBeLessThan(1e-2);
  // Classifier guidance's g = ∇ₓ log p_φ(y | x_t, t) through the noise-aware classifier, and p_φ.
  expect(report.classifierGradient.pass).toBe(true);
  expect(report.classifierGradient.gradRelErr).toBeLessThan(1e-2);
  expect(report.classifierGradient.probsMaxAbsDiff).toBeLessThan(1e-3);
  expect(consoleErrors).toEqual([]);
});
