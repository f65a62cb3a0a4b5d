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
