// The Likelihood view on the pretrained MNIST model (wasm): a running estimate with its
// uncertainty while t are evaluated, then the exact sum over all 1000 t for one test image.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test, expect, backendOf } from './fixtures';

test('computes the ELBO of a test image term by term', async ({ page, consoleErrors }) => {
  test.setTimeout(240_000);
  // The link sets the view's own settings: one image, σ² = β, seed 3.
  await page.goto('./?backend=wasm#view=likelihood&lnum=1&lvar=beta&lseed=3');
  expect(await backendOf(page)).toBe('wasm');
  await expect(page.getByTestId('likelihood-weights-chart')).toBeVisible();
  await expect(page.locator('.tex').first()).toBeVisible();
  const run = page.getByRole('button', { name: 'Compute the ELBO' });
  await expect(run).toBeEnabled({ timeout: 60_000 }); // the pretrained model is in
  await expect(page.getByRole('combobox', { name: 'Test images' })).toHaveValue('1');
  await expect(page.getByRole('combobox', { name: 'Reverse variance' })).toHaveValue('beta');
  await expect(page.getByRole('spinbutton', { name: 'Likelihood seed' })).toHaveValue('3');
  await run.click();
  const estimate = page.getByTestId('likelihood-estimate');
  // While running: an estimate with a ± once every stratum has two t.
  await expect(page.getByTestId('likelihood-progress')).toContainText('timesteps evaluated');
  await expect(estimate).toContainText('bits/dim', { timeout: 120_000 });
  await expect(run).toBeEnabled({ timeout: 200_000 });
  await expect(page.getByText('Exact sum over all 1000 timesteps')).toBeVisible();
  const text = (await estimate.textContent()) ?? '';
  const bpd = Number(/ELBO ≈ ([0-9.]+)/.exec(text)?.[1]);
  console.log(`likelihood: ${text}`);
  // A trained MNIST model: well below the 8 bits/dim of uniform noise, above 0.
  expect(bpd).toBeGreaterThan(0.2);
  expect(bpd).toBeLessThan(6);
  expect(text).not.toContain('±');
  await expect(page.getByTestId('likelihood-parts')).toContainText('bits/dim');
  await expect(
    page.getByTestId('likelihood-terms-chart').locator('.recharts-symbols').first(),
  ).toBeVisible();
  await expect(page.getByTestId('likelihood-cumulative-chart')).toBeVisible();
  // The page's own link carries them on.
  expect(page.url()).toMatch(/lnum=1&lvar=beta&lcond=0&lseed=3/);
  expect(consoleErrors).toEqual([]);
});

// Improved DDPM's learned Σ_θ (Nichol & Dhariwal 2021): σ² = learned is offered only for a model
// that has it (models/mnist-learned-sigma, uploaded), in Reverse sampling and in this view.
test('a learned-Σ model offers σ² = learned, and a DDPM step runs with it', async ({
  page,
  consoleErrors,
}) => {
  test.setTimeout(60_000);
  await page.goto('./?backend=wasm#view=sampling&n=1&steps=2');
  await expect(page.getByTestId('sampling-step')).toHaveText('2', { timeout: 40_000 });
  await page.getByRole('combobox', { name: 'Sampler' }).selectOption('ddpm');
  const variance = page.getByRole('combobox', { name: 'DDPM variance' });
  await expect(variance.locator('option[value="learned"]')).toHaveCount(0);
  const folder = resolve('models/mnist-learned-sigma');
  await page.getByLabel('Upload a model').setInputFiles([
    {
      name: 'model.json',
      mimeType: 'application/json',
      buffer: readFileSync(resolve(folder, 'model.json')),
    },
    {
      name: 'weights.bin',
      mimeType: 'application/octet-stream',
      buffer: readFileSync(resolve(folder, 'weights.bin')),
    },
  ]);
  await expect(page.getByTestId('model-info')).toHaveAttribute('data-origin', 'checkpoint', {
    timeout: 30_000,
  });
  await variance.selectOption('learned');
  await expect(page.getByTestId('learned-variance-note')).toContainText('between β̃_t and β_t');
  expect(page.url()).toMatch(/sampler=ddpm.*var=learned/);
  // Respaced DDPM (Nichol & Dhariwal 2021, Sec. 4): selecting DDPM starts at all T steps; fewer
  // keep round(linspace(T−1, 0, K)) of them, with Σ_θ of the kept steps.
  const steps = page.getByRole('spinbutton', { name: 'Sampling steps' });
  await expect(steps).toHaveValue('1000');
  await steps.fill('5');
  await expect(page.getByTestId('steps-spacing')).toContainText('respaced');
  expect(page.url()).toMatch(/steps=5/);
  await page.getByRole('button', { name: 'Sample', exact: true }).click();
  await expect(page.getByTestId('sampling-step')).toHaveText('0');
  await page.getByRole('button', { name: 'Step forward' }).click();
  await expect(page.getByTestId('sampling-step')).toHaveText('1', { timeout: 20_000 });
  await expect(page.getByTestId('sampling-nfe')).toContainText('(NFE) 1 of 5');
  await expect(page.getByRole('alert')).toHaveCount(0);
  await page.getByRole('tab', { name: 'Likelihood' }).click();
  await expect(
    page.getByRole('combobox', { name: 'Reverse variance' }).locator('option[value="learned"]'),
  ).toHaveCount(1);
  // Σ_θ against β_t and β̃_t per t (Nichol & Dhariwal 2021, eq. 15), measured for this model.
  const sigma = page.getByTestId('sigma-profile-panel');
  await expect(sigma.getByTestId('sigma-profile-chart')).toBeVisible({ timeout: 30_000 });
  await expect(sigma.locator('.recharts-line')).toHaveCount(3);
  await expect(sigma.locator('.recharts-area')).toHaveCount(1);
  await expect(sigma.getByTestId('sigma-formula')).toContainText(/t\s*=\s*\d+/);
  expect(consoleErrors).toEqual([]);
});

// The same, trained in the browser: the "Learn Σ" switch makes Train/Step start a model with a v
// output, trained on L_hybrid; Reverse sampling then offers σ² = learned for it.
test('"Learn Σ" trains a model with a learned variance in the browser', async ({
  page,
  consoleErrors,
}) => {
  test.setTimeout(90_000);
  await page.goto('./?backend=wasm#view=training');
  expect(await backendOf(page)).toBe('wasm');
  await page.getByRole('combobox', { name: 'Model size' }).selectOption('tiny');
  await page.getByRole('spinbutton', { name: 'Batch size' }).fill('2');
  await page.getByRole('spinbutton', { name: 'Steps to train' }).fill('3');
  await page.getByRole('checkbox', { name: 'Learn Σ' }).check();
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await expect(page.getByTestId('step-counter')).toHaveText('step 1 of 3', { timeout: 60_000 });
  await expect(page.getByTestId('model-info')).toContainText('learned Σ_θ');
  await expect(page.getByTestId('loss-value')).not.toHaveText('–');
  await page.getByRole('tab', { name: 'Reverse sampling' }).click();
  await page.getByRole('combobox', { name: 'Sampler' }).selectOption('ddpm');
  await expect(
    page.getByRole('combobox', { name: 'DDPM variance' }).locator('option[value="learned"]'),
  ).toHaveCount(1);
  expect(consoleErrors).toEqual([]);
});
