// Sampling on every core: beside the compute worker the page starts sampling workers (one core
// each) that compute parts of every sampling batch (engine/sampling/splitEps.ts). They change no
// image: the first grid with them equals the first grid without them (`?peer=0`).
import { test, expect, backendOf, canvasPixels } from './fixtures';

test('sampling workers share the first grid and change none of its pixels', async ({
  page,
  consoleErrors,
}) => {
  test.setTimeout(150_000);
  await page.goto('./?backend=wasm#view=sampling');
  expect(await backendOf(page)).toBe('wasm');
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  const threads = Math.min(8, Math.max(1, cores));
  // Beside a threaded compute worker: one sampling worker per core (at most 4), none on one core.
  const peers = cores >= 2 ? Math.min(4, cores) : 0;
  const badge = page.getByTestId('backend');
  await expect(badge).toHaveAttribute('data-peers', String(peers));
  if (peers > 0) {
    await expect(badge).toHaveText(`wasm · ${threads} threads + ${peers} sampling workers`);
  }
  const row = page.getByTestId('sample-row');
  await expect(row).toHaveAttribute('data-first-grid-ms', /^\d+$/, { timeout: 90_000 });
  await expect(page.getByTestId('sampling-step')).toHaveText('50');
  const split = page.getByTestId('sampling-split');
  if (peers > 0) {
    // 16 images with guidance: the compute worker computes none, the workers all 16.
    await expect(split).toHaveText(/^ ?· (\d+( \+ )?)+ images per step on \d sampling workers?$/);
    const counts = ((await split.textContent()) ?? '').match(/\d+/g)?.map(Number) ?? [];
    const perWorker = counts.slice(0, -1);
    expect(perWorker.reduce((a, b) => a + b, 0)).toBe(16);
  } else {
    await expect(split).toHaveCount(0);
  }
  const shared = await canvasPixels(page, 'sample-grid');

  await page.goto('./?backend=wasm&peer=0#view=sampling');
  expect(await backendOf(page)).toBe('wasm');
  await expect(badge).toHaveAttribute('data-peers', '0');
  await expect(row).toHaveAttribute('data-first-grid-ms', /^\d+$/, { timeout: 90_000 });
  await expect(page.getByTestId('sampling-step')).toHaveText('50');
  await expect(split).toHaveCount(0);
  expect(await canvasPixels(page, 'sample-grid')).toBe(shared);
  expect(consoleErrors).toEqual([]);
});
