// The Latent diffusion view on the shipped models/mnist-latent (wasm): a few guided DDIM steps in
// the 7x7x4 latent with each step decoded, scrubbing, the latent walk, the reconstruction from
// noise, and the view's share-link keys (a tampered one is reported, the others still apply).
import { test, expect, backendOf, canvasPixels } from './fixtures';

test('samples in the latent, decodes every step, walks and reconstructs', async ({
  page,
  consoleErrors,
}) => {
  test.setTimeout(60_000);
  await page.goto('./?backend=wasm#view=latent&ldsteps=4&ldguid=2&ldt=300&ldalpha=0.25&ldseed=abc');
  expect(await backendOf(page)).toBe('wasm');
  // The tampered seed is named; the other keys of the link still apply.
  await expect(page.getByRole('status').filter({ hasText: 'ldseed' })).toContainText(
    'not a whole number',
  );
  await expect(page.getByTestId('latent-model-info')).toContainText('models/mnist-latent');
  await expect(page.getByRole('spinbutton', { name: 'Latent steps' })).toHaveValue('4');
  await expect(page.locator('.tex').first()).toBeVisible();
  await page.getByRole('button', { name: 'Sample latents' }).click();
  await expect(page.getByTestId('latent-channels')).toHaveAttribute('data-ready', 'true');
  await expect(page.getByTestId('latent-decoded-x0')).toHaveAttribute('data-ready', 'true');
  await expect(page.getByTestId('latent-timing')).toContainText('4 network evaluations');
  await expect(page.getByRole('heading', { name: /step 4 of 4, t = 0/ })).toBeVisible();
  const last = await canvasPixels(page, 'latent-decoded-xt');
  await page.getByRole('button', { name: 'Step back' }).click();
  await expect(page.getByRole('heading', { name: /step 3 of 4/ })).toBeVisible();
  expect(await canvasPixels(page, 'latent-decoded-xt')).not.toBe(last);
  // The walk draws by itself at the link's α.
  await expect(page.getByTestId('latent-walk-image')).toHaveAttribute('data-ready', 'true');
  await expect(page.getByText('D(z(α)) at α = 0.25')).toBeVisible();
  await page.getByRole('button', { name: 'Reconstruct' }).click();
  await expect(page.getByTestId('latent-reconstruction-mse')).toContainText('t = 300');
  await page.getByRole('button', { name: 'Measure the cost' }).click();
  await expect(page.getByTestId('latent-cost')).toContainText('pixel U-Net (mnist-cfg)');
  expect(page.url()).toMatch(/ldguid=2/);
  expect(page.url()).toMatch(/ldsteps=4/);
  expect(consoleErrors).toEqual([]);
});

test('1024×768 classroom: the latent trajectory panel on the first screen, seed hidden', async ({
  page,
  consoleErrors,
}) => {
  test.setTimeout(40_000);
  await page.setViewportSize({ width: 1024, height: 768 });
  await page.addInitScript(() =>
    localStorage.setItem(
      'diffusion-playground/display',
      JSON.stringify({ theme: 'light', classroom: true }),
    ),
  );
  await page.goto('./?backend=wasm#view=latent');
  expect(await backendOf(page)).toBe('wasm');
  await expect(page.getByTestId('latent-model-info')).toContainText('models/mnist-latent');
  const panel = page.getByRole('region', { name: 'Latent trajectory' });
  await expect(panel).toBeVisible();
  await page.evaluate(() => window.scrollTo(0, 0));
  const box = await panel.boundingBox();
  expect(box && box.y + box.height).toBeLessThanOrEqual(768);
  expect(box && box.x + box.width).toBeLessThanOrEqual(1024);
  await expect(page.getByRole('spinbutton', { name: 'Latent seed' })).toBeHidden();
  // Keyboard: the sample button is reachable and starts sampling with Enter.
  const sample = page.getByRole('button', { name: 'Sample latents' });
  // Enabled once the worker holds the model (a disabled button takes no focus).
  await expect(sample).toBeEnabled({ timeout: 30_000 });
  await sample.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('latent-decoded-xt')).toHaveAttribute('data-ready', 'true');
  await expect(page.getByRole('heading', { name: /step 25 of 25/ })).toBeVisible();
  // ← steps back through the trajectory, as in Reverse sampling.
  await page.keyboard.press('ArrowLeft');
  await expect(page.getByRole('heading', { name: /step 24 of 25/ })).toBeVisible();
  expect(consoleErrors).toEqual([]);
});
