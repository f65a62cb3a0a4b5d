// The "Score & SDE" view on wasm, in one page load (the page's boot is the slow part on 2 cores):
// the field draws, every sampler runs to the end from a small step count, the mixture's weights
// come out right, the plane fits a 1024×768 screen, the forward SDE's particles and the model's
// PF-ODE density show, the share link restores the view (drawn points included; a changed value
// is reported), and the learned score trains, pauses, shows its error beside the exact field and
// samples.
import { test, expect, canvasPixels } from './fixtures';

const SAMPLERS: [string, string][] = [
  ['langevin', '5'],
  ['annealed-langevin', '1'],
  ['reverse-sde', '5'],
  ['pf-ode', '3'],
  ['pc', '3'],
  // Last: its fractions are checked below.
  ['ddpm', '30'],
];

test('score view: field, forward SDE, every sampler, fractions, scrubbing, model density', async ({
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

  // Moving the noise level redraws the field and moves the forward SDE's particles.
  const before = await canvasPixels(page, 'score-plane');
  const forwardBefore = await canvasPixels(page, 'forward-vp');
  await page.getByRole('slider', { name: 'Noise level' }).fill('0.6');
  await expect.poll(() => canvasPixels(page, 'score-plane')).not.toBe(before);
  await expect.poll(() => canvasPixels(page, 'forward-vp')).not.toBe(forwardBefore);
  await expect(page.getByTestId('forward-particles')).toContainText('VP: a = 0.162 (measured');

  const status = page.getByTestId('score-status');
  for (const [sampler, steps] of SAMPLERS) {
    await page.getByRole('combobox', { name: 'Sampler' }).selectOption(sampler);
    await page.getByRole('spinbutton', { name: /Steps/ }).fill(steps);
    await page.getByRole('button', { name: 'Sample', exact: true }).click();
    await expect(status).toContainText('done', { timeout: 60_000 });
    await expect(page.getByTestId('score-sw')).toContainText(/SW₂/);
  }
  // DDPM with 30 steps gets the 0.8 weight within ±0.06 (2,000 particles: std 0.009).
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

  // The model's density from the PF-ODE (exact score) beside the data's.
  await page.getByRole('button', { name: 'Model density and held-out log-likelihood' }).click();
  await expect(page.getByTestId('score-likelihood')).toContainText(/model -\d+\.\d{3} nats/);
  await expect(page.getByTestId('model-density-plane')).toBeVisible();
  expect(consoleErrors).toEqual([]);
});

test('score view: drawn points and the share link, then the learned score', async ({
  page,
  consoleErrors,
}) => {
  await page.setViewportSize({ width: 1024, height: 768 });
  await page.goto(
    './?backend=wasm#view=score&s2data=mixture&s2sampler=ddpm&s2sde=vp&s2t=0.6&s2steps=30',
  );
  const plane = page.getByTestId('score-plane');
  await expect(plane).toBeVisible();
  const box = (await plane.boundingBox())!;
  const status = page.getByTestId('score-status');

  // Drawn points: three clicks, and the share link carries them.
  await page.getByRole('combobox', { name: 'Data' }).selectOption('drawn');
  for (const [x, y] of [
    [0.3, 0.3],
    [0.6, 0.5],
    [0.5, 0.8],
  ]) {
    await plane.click({ position: { x: x * box.width, y: y * box.height } });
  }
  await expect(page.getByText('(3 / 400)')).toBeVisible();
  await expect.poll(() => page.url()).toMatch(/s2data=drawn&.*s2pts=[\w-]{14}(&|$)/);

  // The share link restores the view.
  const url = page.url();
  expect(url).toContain('s2sampler=ddpm');
  expect(url).toContain('s2steps=30');
  await page.goto('about:blank');
  await page.goto(url);
  await expect(page.getByRole('combobox', { name: 'Sampler' })).toHaveValue('ddpm');
  await expect(page.getByRole('slider', { name: 'Noise level' })).toHaveValue('0.6');
  await expect(page.getByRole('spinbutton', { name: /Steps/ })).toHaveValue('30');
  await expect(page.getByRole('combobox', { name: 'Data' })).toHaveValue('drawn');
  await expect(page.getByText('(3 / 400)')).toBeVisible();

  // A changed value in the link is reported; the rest of the link still applies.
  const code = /s2pts=([\w-]+)/.exec(url)![1];
  const changed = code.slice(0, 2) + (code[2] === 'A' ? 'B' : 'A') + code.slice(3);
  await page.goto(url.replace(`s2pts=${code}`, `s2pts=${changed}`).replace('s2t=0.6', 's2t=0.3'));
  await expect(page.getByRole('status').filter({ hasText: 's2pts' })).toContainText(
    'fails its check',
  );
  await expect(page.getByRole('slider', { name: 'Noise level' })).toHaveValue('0.3');
  await page.goto('./?backend=wasm#view=score&s2sampler=warp');
  await expect(page.getByRole('status').filter({ hasText: 's2sampler' })).toBeVisible();

  // The learned score: train a little, pause, compare with the exact field, sample with it.
  await page.getByRole('combobox', { name: 'Sampler' }).selectOption('ddpm');
  await page.getByRole('spinbutton', { name: /Steps/ }).fill('5');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByTestId('train-status')).toContainText(/step \d+ \/ 800, loss \d\.\d{4}/);
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeVisible();
  for (const id of ['exact-plane', 'learned-plane', 'error-plane', 'loss-chart']) {
    await expect(page.getByTestId(id)).toBeVisible();
  }
  await expect(page.getByTestId('learned-error')).toContainText(/where the noised data is/);
  await page.getByRole('combobox', { name: 'Score' }).selectOption('learned');
  await page.getByRole('button', { name: 'Sample', exact: true }).click();
  await expect(status).toContainText('done');
  expect(consoleErrors).toEqual([]);
});
