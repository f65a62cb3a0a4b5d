// The "Score & SDE" view on wasm (no tensors: the exact score is plain JS): the field draws,
// every sampler runs to the end from a small step count, the mixture's weights come out right,
// the plane fits a 1024×768 screen, and the share link restores the view.
import { test, expect, canvasPixels } from './fixtures';

const SAMPLERS: [string, string][] = [
  ['langevin', '20'],
  ['annealed-langevin', '1'],
  ['reverse-sde', '20'],
  ['pf-ode', '10'],
  ['pc', '10'],
  ['ddpm', '20'],
];

test('score view: field, every sampler, fractions, scrubbing and the share link', async ({
  page,
  consoleErrors,
}) => {
  await page.setViewportSize({ width: 1024, height: 768 });
  await page.goto(
    './?backend=wasm#view=score&s2data=mixture&s2sampler=ddpm&s2sde=vp&s2t=0.2&s2steps=60',
  );
  const plane = page.getByTestId('score-plane');
  await expect(plane).toBeVisible();
  // The plane is fully on screen at 1024×768 without scrolling.
  const box = (await plane.boundingBox())!;
  expect(box.y + box.height).toBeLessThanOrEqual(768);
  expect(box.x + box.width).toBeLessThanOrEqual(1024);
  await expect(page.getByRole('combobox', { name: 'Sampler' })).toHaveValue('ddpm');
  await expect(page.getByRole('slider', { name: 'Noise level' })).toHaveValue('0.2');
  await expect(page.locator('.score-explain .katex').first()).toBeVisible();

  // Moving the noise level redraws the field.
  const before = await canvasPixels(page, 'score-plane');
  await page.getByRole('slider', { name: 'Noise level' }).fill('0.6');
  await expect.poll(() => canvasPixels(page, 'score-plane')).not.toBe(before);

  const status = page.getByTestId('score-status');
  for (const [sampler, steps] of SAMPLERS) {
    await page.getByRole('combobox', { name: 'Sampler' }).selectOption(sampler);
    await page.getByRole('spinbutton', { name: /Steps/ }).fill(steps);
    await page.getByRole('button', { name: 'Sample', exact: true }).click();
    await expect(status).toContainText('done', { timeout: 90_000 });
    await expect(page.getByTestId('score-sw')).toContainText(/SW₂/);
  }

  // DDPM with 100 steps gets the 0.8 weight within ±0.06 (2,000 particles: std 0.009).
  await page.getByRole('combobox', { name: 'Sampler' }).selectOption('ddpm');
  await page.getByRole('spinbutton', { name: /Steps/ }).fill('100');
  await page.getByRole('button', { name: 'Sample', exact: true }).click();
  await expect(status).toContainText('done', { timeout: 90_000 });
  const big = await page
    .getByTestId('score-fractions')
    .locator('tbody tr')
    .nth(1)
    .locator('td')
    .nth(1)
    .textContent();
  expect(Math.abs(Number(big) - 0.8)).toBeLessThan(0.06);

  // Step back moves the scrubber and the particles back.
  const atEnd = await status.textContent();
  await page.getByRole('button', { name: 'Step back' }).click();
  await expect(status).not.toHaveText(atEnd ?? '');
  await expect(page.getByRole('slider', { name: 'Trajectory' })).not.toHaveValue('0');

  // The share link restores the view.
  const url = page.url();
  expect(url).toContain('s2sampler=ddpm');
  expect(url).toContain('s2steps=100');
  await page.goto('about:blank');
  await page.goto(url);
  await expect(page.getByRole('combobox', { name: 'Sampler' })).toHaveValue('ddpm');
  await expect(page.getByRole('slider', { name: 'Noise level' })).toHaveValue('0.6');
  await expect(page.getByRole('spinbutton', { name: /Steps/ })).toHaveValue('100');

  // A bad value in the link is reported and ignored.
  await page.goto('./?backend=wasm#view=score&s2sampler=warp');
  await expect(page.getByRole('status').filter({ hasText: 's2sampler' })).toBeVisible();
  expect(consoleErrors).toEqual([]);
});

test('score view: the learned score trains, pauses, shows its error and samples', async ({
  page,
  consoleErrors,
}) => {
  await page.goto('./?backend=wasm#view=score&s2data=mixture&s2sampler=ddpm&s2steps=20');
  await expect(page.getByTestId('score-plane')).toBeVisible();
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  const status = page.getByTestId('train-status');
  await expect(status).toContainText(/step \d+ \/ 2000, loss \d\.\d{4}/, { timeout: 90_000 });
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeVisible();
  await expect(page.getByTestId('learned-plane')).toBeVisible();
  await expect(page.getByTestId('loss-chart')).toBeVisible();
  await page.getByRole('combobox', { name: 'Score' }).selectOption('learned');
  await page.getByRole('button', { name: 'Sample', exact: true }).click();
  await expect(page.getByTestId('score-status')).toContainText('done', { timeout: 90_000 });
  expect(consoleErrors).toEqual([]);
});
