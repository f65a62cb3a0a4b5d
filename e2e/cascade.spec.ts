// The Cascade view (Ho et al. 2021) on wasm: the pretrained models/mnist-cascade sampled at 3 DDIM
// steps per stage for 2 images, scrubbed through both stages; the share-link keys, a tampered one
// rejected with a notice; and a tiny cascade trained in the page with its progress bar.
import { test, expect, backendOf } from './fixtures';

test('samples the pretrained cascade and scrubs both stages', async ({ page, consoleErrors }) => {
  test.setTimeout(120_000);
  await page.goto('./?backend=wasm#view=cascade&ccls=7&cgd=2&cn=2&cst=3&caug=0.2&cat=1');
  expect(await backendOf(page)).toBe('wasm');
  await expect(page.getByRole('table', { name: 'Cascade stages' })).toContainText('sr-noaug', {
    timeout: 60_000,
  });
  await expect(page.getByRole('combobox', { name: 'Cascade class' })).toHaveValue('7');
  await expect(page.getByRole('spinbutton', { name: 'Cascade steps' })).toHaveValue('3');
  await expect(page.getByRole('slider', { name: 'Augmentation level' })).toHaveValue('0.2');
  await page.getByRole('button', { name: 'Sample cascade' }).click();
  const position = page.getByTestId('cascade-position');
  // The link's position (1) is applied to the new run: the base stage's second step.
  await expect(position).toHaveText(/base stage, step 2 of 3: x_t at t = \d+/, { timeout: 30_000 });
  await expect(page.getByTestId('cascade-sr')).toBeVisible();
  const scrub = page.getByRole('slider', { name: 'Pipeline position' });
  await scrub.focus();
  await page.keyboard.press('End');
  await expect(position).toHaveText('super-resolution done: x₀ (28×28)');
  await expect(page.getByTestId('cascade-sr-noaug')).toBeVisible();
  // s = round(0.2 · 999) = 200 and its coefficients √ᾱ_s, √(1 − ᾱ_s) in the formula.
  await expect(page.getByLabel('Cascade formulas')).toContainText('200');
  expect(page.url()).toMatch(/ccls=7&cgd=2&cn=2&cst=3&csd=0&caug=0.2&cat=7/);
  expect(consoleErrors).toEqual([]);
});

test('a tampered cascade link value is rejected and nothing else is lost', async ({ page }) => {
  // Also the projector: 1024×768 in classroom mode, the controls that start a run on the first
  // screen and the advanced ones hidden.
  await page.setViewportSize({ width: 1024, height: 768 });
  await page.goto('./?backend=wasm#view=cascade&ccls=3&cgd=abc&cst=999&classroom=1');
  const sample = page.getByRole('button', { name: 'Sample cascade' });
  await expect(sample).toBeInViewport();
  for (const name of ['Cascade images', 'Cascade seed', 'Cascade training steps']) {
    await expect(page.getByRole('spinbutton', { name, exact: true })).toBeHidden();
  }
  await expect(page.getByRole('status').filter({ hasText: 'cgd="abc"' })).toBeVisible();
  // Filtered: the backend badge's notice is a status too.
  await expect(page.getByRole('status').filter({ hasText: 'cst="999"' })).toContainText(
    'cst="999" is outside 1..200',
  );
  await expect(page.getByRole('combobox', { name: 'Cascade class' })).toHaveValue('3');
  await expect(page.getByRole('spinbutton', { name: 'Cascade steps' })).toHaveValue('200');
});

test('trains a tiny cascade in the page with a progress bar', async ({ page, consoleErrors }) => {
  test.setTimeout(120_000);
  // Truncated augmentation (ctr=1): DDIM 2 steps visit t = 999, 0, so s = 100 hands over t = 0.
  await page.goto('./?backend=wasm#view=cascade&cn=1&cst=2&ctr=1');
  await expect(page.getByRole('table', { name: 'Cascade stages' })).toBeVisible({
    timeout: 60_000,
  });
  await page.getByRole('spinbutton', { name: 'Cascade training steps' }).fill('2');
  await page.getByRole('button', { name: 'Train a tiny cascade here' }).click();
  await expect(page.getByRole('progressbar', { name: 'Cascade training progress' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Cascade stages' })).toContainText('trained here', {
    timeout: 60_000,
  });
  await page.getByRole('button', { name: 'Sample cascade' }).click();
  await expect(page.getByTestId('cascade-position')).toHaveText(
    'super-resolution done: x₀ (28×28)',
    { timeout: 20_000 },
  );
  await expect(page.getByText('Truncated: the base’s own x_t at t = 0 (step 2)')).toBeVisible();
  expect(page.url()).toContain('ctr=1');
  expect(consoleErrors).toEqual([]);
});
