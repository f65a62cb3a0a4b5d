// Sampling on every core: beside the compute worker the page starts sampling workers (one core
// each) that compute parts of every sampling batch (engine/sampling/splitEps.ts). They change no
// image: the first grid with them equals the first grid without them (`?peer=0`), on a
// cross-origin isolated page (a threaded compute worker from three cores on, one thread computing
// its share on two) and on one without (one thread). The same workers share training steps (last
// test).
import { test, expect, backendOf, canvasPixels, type Page } from './fixtures';

/**
 * What a cross-origin isolated page runs on this machine's cores (wasmThreads.ts,
 * backendOverride.ts): a pool of every core (at most 8) beside one sampling worker per core (at
 * most 4) from three cores on; one thread beside one sampling worker on two; one thread alone on one.
 */
async function isolatedLayout(page: Page): Promise<{ threads: number; peers: number }> {
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  const budget = Math.min(8, Math.max(1, cores));
  if (budget >= 3) return { threads: budget, peers: Math.min(4, budget) };
  return { threads: 1, peers: budget - 1 };
}

test('sampling workers share the first grid and change none of its pixels', async ({
  page,
  consoleErrors,
}) => {
  test.setTimeout(150_000);
  await page.goto('./?backend=wasm#view=sampling');
  expect(await backendOf(page)).toBe('wasm');
  const { threads, peers } = await isolatedLayout(page);
  const badge = page.getByTestId('backend');
  await expect(badge).toHaveAttribute('data-threads', String(threads));
  await expect(badge).toHaveAttribute('data-peers', String(peers));
  if (peers > 0) {
    await expect(badge).toHaveText(
      `wasm · ${threads} thread${threads === 1 ? '' : 's'} + ${peers} sampling worker${peers === 1 ? '' : 's'}`,
    );
  }
  const row = page.getByTestId('sample-row');
  await expect(row).toHaveAttribute('data-first-grid-ms', /^\d+$/, { timeout: 90_000 });
  await expect(page.getByTestId('sampling-step')).toHaveText('50');
  const split = page.getByTestId('sampling-split');
  if (peers > 0) {
    // 16 images with guidance: a threaded compute worker computes none, the workers all 16; a
    // single-threaded one (two cores) its share beside them.
    await expect(split).toHaveText(
      threads > 1
        ? /^ ?· (\d+( \+ )?)+ on \d workers?$/
        : /^ ?· \d+ here \+ (\d+( \+ )?)+ on \d workers?$/,
    );
    // The long words in its tooltip.
    await expect(split).toHaveAttribute('title', /sampling workers? per step|per step on/);
    const counts = ((await split.textContent()) ?? '').match(/\d+/g)?.map(Number) ?? [];
    const perPart = counts.slice(0, -1);
    expect(perPart.reduce((a, b) => a + b, 0)).toBe(16);
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

test('without cross-origin isolation one wasm thread computes its share beside one worker, same pixels', async ({
  page,
  consoleErrors,
}) => {
  test.setTimeout(150_000);
  // As on a host that cannot send COOP/COEP (GitHub Pages): the same files without those headers.
  await page.context().route('**/*', async (route) => {
    const response = await route.fetch();
    const headers = { ...response.headers() };
    delete headers['cross-origin-opener-policy'];
    delete headers['cross-origin-embedder-policy'];
    await route.fulfill({ response, headers });
  });
  await page.goto('./?backend=wasm#view=sampling');
  expect(await backendOf(page)).toBe('wasm');
  expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(false);
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  const peers = Math.min(4, Math.max(0, cores - 1));
  const badge = page.getByTestId('backend');
  await expect(badge).toHaveAttribute('data-threads', '1');
  await expect(badge).toHaveAttribute('data-peers', String(peers));
  const row = page.getByTestId('sample-row');
  await expect(row).toHaveAttribute('data-first-grid-ms', /^\d+$/, { timeout: 90_000 });
  await expect(page.getByTestId('sampling-step')).toHaveText('50');
  if (peers > 0) {
    await expect(page.getByTestId('sampling-split')).toHaveText(
      /^ ?· \d+ here \+ (\d+( \+ )?)+ on \d workers?$/,
    );
  }
  const oneThread = await canvasPixels(page, 'sample-grid');

  await page.context().unrouteAll();
  await page.goto('./?backend=wasm&peer=0#view=sampling');
  expect(await backendOf(page)).toBe('wasm');
  await expect(row).toHaveAttribute('data-first-grid-ms', /^\d+$/, { timeout: 90_000 });
  await expect(page.getByTestId('sampling-step')).toHaveText('50');
  expect(await canvasPixels(page, 'sample-grid')).toBe(oneThread);
  expect(consoleErrors).toEqual([]);
});

// Training on every core too: the same workers compute parts of each training step's batch and
// the compute worker adds up their gradients (engine/training/partGradient.ts). The losses of the
// first two steps (the second after one shared update) match the steps taken in one worker.
test('training steps shared with the sampling workers follow the steps taken in one worker', async ({
  page,
  consoleErrors,
}) => {
  test.setTimeout(150_000);
  const badge = page.getByTestId('backend');
  const counter = page.getByTestId('step-counter');
  const twoSteps = async (url: string, peers: number) => {
    await page.goto(url);
    expect(await backendOf(page)).toBe('wasm');
    await expect(badge).toHaveAttribute('data-peers', String(peers));
    await page.getByRole('combobox', { name: 'Model size' }).selectOption('tiny');
    await page.getByRole('spinbutton', { name: 'Batch size' }).fill('8');
    await page.getByRole('spinbutton', { name: 'Steps to train' }).fill('10');
    const losses: number[] = [];
    for (const step of [1, 2]) {
      await page.getByRole('button', { name: 'Step', exact: true }).click();
      await expect(counter).toHaveText(`step ${step} of 10`, { timeout: 60_000 });
      losses.push(Number(await page.getByTestId('loss-value').textContent()));
    }
    return losses;
  };
  const { threads, peers } = await isolatedLayout(page);
  const shared = await twoSteps('./?backend=wasm#view=training', peers);
  const split = page.getByTestId('training-split');
  if (peers > 0) {
    // A threaded compute worker leaves the whole batch to the workers; a single-threaded one
    // (two cores) computes its share beside them.
    await expect(split).toHaveText(
      threads > 1
        ? /^ ?· (\d+( \+ )?)+ images per step on \d sampling workers?$/
        : /^ ?· \d+ images? here \+ (\d+( \+ )?)+ on \d sampling workers? per step$/,
    );
  } else {
    await expect(split).toHaveCount(0);
  }
  const alone = await twoSteps('./?backend=wasm&peer=0#view=training', 0);
  await expect(split).toHaveCount(0);
  // Shown with 4 decimals: the runs differ only in float summation order.
  shared.forEach((loss, i) => {
    expect(loss).toBeGreaterThan(0);
    expect(Math.abs(loss - alone[i])).toBeLessThanOrEqual(1e-4 + 1e-9);
  });
  expect(shared[1]).not.toBe(shared[0]);
  expect(consoleErrors).toEqual([]);
});
