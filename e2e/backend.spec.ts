// The backend is chosen by measurement: here WebGPU is SwiftShader, a software adapter, so the
// default page runs on wasm and says why; the decision is remembered; the select overrides it.
import { test, expect, backendOf } from './fixtures';

test('a software WebGPU adapter is not chosen; the choice is remembered and can be overridden', async ({
  page,
  consoleErrors,
}) => {
  await page.goto('./');
  expect(await backendOf(page)).toBe('wasm');
  const badge = page.getByTestId('backend');
  await expect(badge).toHaveAttribute('data-how', /measured|only/);
  await expect(page.getByRole('status').filter({ hasText: 'software adapter' })).toBeVisible();
  const stored = await page.evaluate(() => localStorage.getItem('diffusion-playground.backend'));
  expect(JSON.parse(stored ?? 'null')).toMatchObject({ backend: 'wasm' });

  await page.reload();
  expect(await backendOf(page)).toBe('wasm');
  await expect(badge).toHaveAttribute('data-how', 'remembered');

  // A teacher overrides it: the page reloads with ?backend=webgpu.
  await page.getByLabel('Backend').selectOption('webgpu');
  await page.waitForURL(/backend=webgpu/);
  expect(await backendOf(page)).toBe('webgpu');
  await expect(badge).toHaveAttribute('data-how', 'forced');
  await expect(page.getByRole('status').filter({ hasText: 'software adapter' })).toBeVisible();

  // Back to auto: measured again.
  await page.getByLabel('Backend').selectOption('auto');
  await page.waitForURL((u) => !u.search.includes('backend='));
  expect(await backendOf(page)).toBe('wasm');
  await expect(badge).toHaveAttribute('data-how', /measured|only/);
  expect(consoleErrors).toEqual([]);
});

test('wasm runs on every core: the threaded build starts in the bundled worker and trains', async ({
  page,
  consoleErrors,
}) => {
  // The page is cross-origin isolated (COOP/COEP). A pool of three threads whatever the cores:
  // by itself the page gives a pool to three cores or more, and this machine may have two
  // (wasmThreads.ts); no sampling workers, which this test is not about.
  const threads = 3;
  await page.goto(`./?backend=wasm&threads=${threads}&peer=0#view=schedules`);
  expect(await backendOf(page)).toBe('wasm');
  const badge = page.getByTestId('backend');
  await expect(badge).toHaveAttribute('data-threads', String(threads));
  await expect(badge).toHaveText(`wasm · ${threads} threads`);
  // A training step of the tiny U-Net runs XNNPACK's convolutions on the pthread pool: before the
  // build kept the pthread source intact this crashed ("ReferenceError: e is not defined").
  const row = await page.evaluate(() => {
    const w = window as unknown as {
      __playground: {
        worker(): {
          benchTrainStep(r: object): Promise<{
            threads?: number;
            simdKernels?: boolean;
            trainStepMs: number;
            tensorsBefore: number;
            tensorsAfter: number;
          }>;
        };
      };
    };
    return w.__playground.worker().benchTrainStep({
      preset: 'mnist/tiny',
      batch: 2,
      steps: 1,
      warmup: 0,
    });
  });
  expect(row.threads).toBe(threads);
  // The SIMD kernels found the threaded binary's shared memory in the minified bundle.
  expect(row.simdKernels).toBe(true);
  expect(row.trainStepMs).toBeGreaterThan(0);
  expect(row.tensorsAfter).toBe(row.tensorsBefore);
  expect(consoleErrors).toEqual([]);
});
