// Issue 9's conventions as a student sees them (wasm: nothing here is about WebGPU): x̂₀ clipping
// is a visible option that the panels and the share link follow, the guidance convention and the
// step spacing sit beside their controls, and the Schedules view states its t convention.
import { test, expect } from './fixtures';

test('clipping option, conventions beside the controls, and the t convention', async ({
  page,
  consoleErrors,
}) => {
  test.setTimeout(120_000);
  await page.goto('./?backend=wasm#view=sampling');
  // The first grid (pretrained MNIST, DDIM 50 steps) is drawn by itself.
  await expect(page.getByTestId('sample-grid')).toHaveAttribute('aria-label', 'samples x₀', {
    timeout: 90_000,
  });
  await expect(page.getByTestId('guidance-convention')).toHaveText(
    'ε̃ = ε_u + s(ε_c − ε_u): s = 0 unconditional, s = 1 conditional',
  );
  await expect(page.getByTestId('steps-spacing')).toContainText('round(linspace(T−1, 0, steps))');
  const clip = page.getByRole('checkbox', { name: 'Clip x̂₀ to [−1, 1]' });
  await expect(clip).toBeChecked();
  await expect(page.getByTestId('x0pred-grid')).toHaveAttribute(
    'aria-label',
    'x̂₀ the step used (clipped to [−1, 1])',
  );
  await expect(page.getByTestId('step-formula')).toContainText('re-derived from the clipped x̂₀');
  expect(page.url()).not.toContain('clip=');

  // Off: the link carries it, and the next run's panels say the network's own ε̃ was used.
  await clip.uncheck();
  await expect.poll(() => page.url()).toContain('clip=0');
  await page.getByRole('spinbutton', { name: 'Sampling steps' }).fill('3');
  await page.getByRole('spinbutton', { name: 'Number of images' }).fill('1');
  await page.getByRole('button', { name: 'Sample', exact: true }).click();
  await page.getByRole('button', { name: 'Step forward' }).click();
  await expect(page.getByTestId('sampling-step')).toHaveText('1', { timeout: 60_000 });
  await expect(page.getByTestId('x0pred-grid')).toHaveAttribute(
    'aria-label',
    'x̂₀ the step used (not clipped)',
  );
  await expect(page.getByTestId('eps-grid')).toHaveAttribute(
    'aria-label',
    'ε the step used (the guided ε̃)',
  );
  await expect(page.getByTestId('sampling-step').locator('..')).toContainText('t = 999');

  // A link with clip=0 opens with the box unchecked.
  await page.goto('./?backend=wasm#view=sampling&clip=0');
  await expect(page.getByRole('checkbox', { name: 'Clip x̂₀ to [−1, 1]' })).not.toBeChecked();

  await page.getByRole('tab', { name: 'Schedules' }).click();
  await expect(page.getByTestId('t-convention')).toContainText('t counts from 0');
  await page.screenshot({ path: test.info().outputPath('conventions.png'), fullPage: true });
  expect(consoleErrors).toEqual([]);
});
