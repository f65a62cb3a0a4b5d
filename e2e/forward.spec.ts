// The whole path under test: React → Comlink → worker → tfjs on WebGPU → pixels on a canvas.
import { test, expect, backendOf, canvasPixels } from './fixtures';

test('forward noising runs on WebGPU in the worker and follows the t slider', async ({
  page,
  consoleErrors,
}) => {
  await page.goto('./?backend=webgpu');
  await expect(page.getByRole('heading', { name: 'Diffusion Playground' })).toBeVisible();

  // Headless Chromium here has a real WebGPU adapter (SwiftShader): the worker must use it.
  expect(await backendOf(page)).toBe('webgpu');

  const xt = page.getByTestId('xt-canvas');
  await expect(xt).toHaveAttribute('data-ready', 'true');
  await expect(page.getByTestId('x0-canvas')).toHaveAttribute('data-ready', 'true');
  const before = await canvasPixels(page, 'xt-canvas');
  await expect(page.getByText(/class \d/)).toBeVisible();

  // Move t with the keyboard, as a teacher would with the slider focused.
  const slider = page.getByRole('slider', { name: 'Timestep t' });
  await slider.focus();
  for (let i = 0; i < 5; i++) await slider.press('PageUp');
  const tAfter = Number(await page.getByTestId('t-value').textContent());
  expect(tAfter).toBeGreaterThan(250);
  await expect(xt).toHaveAttribute(
    'aria-label',
    `x_t at t = ${tAfter} (after ${tAfter + 1} noising steps)`,
  );
  await expect.poll(() => canvasPixels(page, 'xt-canvas')).not.toBe(before);

  // At t = 0 almost nothing of the image is lost; near T-1 it is nearly all noise. The formula
  // shows the signal weight sqrt(alphaBar_t) from the schedule.
  await slider.fill('0');
  await expect(page.getByLabel('forward process formula')).toContainText('0.9999');
  await slider.fill('999');
  await expect(xt).toHaveAttribute('aria-label', 'x_t at t = 999 (after 1000 noising steps)');

  await page.screenshot({ path: test.info().outputPath('forward-view.png'), fullPage: true });
  expect(consoleErrors).toEqual([]);
});
