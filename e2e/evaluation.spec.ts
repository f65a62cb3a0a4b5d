// The guidance trade-off panel against the pretrained MNIST model, on wasm (much faster here than
// WebGPU on SwiftShader) with a tiny configuration: 2 scales x 20 samples x 10 DDIM steps.
import { test, expect, backendOf } from './fixtures';

test('measures accuracy, Fréchet distance and diversity per guidance scale', async ({
  page,
  consoleErrors,
}) => {
  test.setTimeout(120_000);
  await page.goto('./?backend=wasm#view=evaluate');
  expect(await backendOf(page)).toBe('wasm');
  const run = page.getByRole('button', { name: 'Run evaluation' });
  await expect(run).toBeEnabled(); // the pretrained MNIST model is in

  await page.getByRole('combobox', { name: 'Samples per scale' }).selectOption('20');
  await page.getByRole('spinbutton', { name: 'DDIM steps' }).fill('10');
  await page.getByRole('textbox', { name: 'Guidance scales' }).fill('0, 3');
  await expect(page.locator('#eval-scales-help')).toContainText('2 scales × 20 samples × 10 steps');
  const started = Date.now();
  await run.click();
  await expect(page.getByRole('button', { name: 'Cancel' })).toBeEnabled();

  const rows = page.getByTestId('eval-row');
  await expect(rows).toHaveCount(2, { timeout: 90_000 });
  await expect(run).toBeEnabled();
  const seconds = (Date.now() - started) / 1000;
  const read = async (scale: string, id: string) =>
    Number(
      await page
        .locator(`[data-testid="eval-row"][data-scale="${scale}"] [data-testid="${id}"]`)
        .getAttribute('data-value'),
    );
  const row = async (s: string) => ({
    accuracy: await read(s, 'eval-accuracy'),
    fd: await read(s, 'eval-fd'),
    diversity: await read(s, 'eval-diversity'),
    secondsPerImage: await read(s, 'eval-seconds'),
  });
  const [s0, s3] = [await row('0'), await row('3')];
  const summary = `wasm, 20 samples x 10 DDIM steps: s=0 ${JSON.stringify(s0)}; s=3 ${JSON.stringify(s3)}; ${seconds.toFixed(1)} s in all`;
  console.log(summary);
  test.info().annotations.push({ type: 'guidance-trade-off', description: summary });
  for (const r of [s0, s3]) {
    expect(r.accuracy).toBeGreaterThanOrEqual(0);
    expect(r.accuracy).toBeLessThanOrEqual(1);
    expect(r.fd).toBeGreaterThan(0);
    expect(r.fd).toBeLessThan(10_000);
    expect(r.diversity).toBeGreaterThan(0);
    expect(r.diversity).toBeLessThan(5);
    expect(r.secondsPerImage).toBeGreaterThan(0);
  }
  // s = 0 ignores the class (near chance, 10%); s = 3 is guided towards it.
  expect(s3.accuracy).toBeGreaterThan(s0.accuracy);
  expect(s3.accuracy).toBeGreaterThanOrEqual(0.6);

  // The chart (two lines), the per-digit grid and a strip of samples per scale.
  await expect(page.getByTestId('tradeoff-chart').locator('.recharts-line')).toHaveCount(2);
  await expect(
    page.getByTestId('tradeoff-chart').locator('.recharts-line path').first(),
  ).toHaveAttribute('d', /\d/);
  await expect(
    page.getByRole('table', { name: 'Accuracy per digit' }).locator('tbody tr'),
  ).toHaveCount(2);
  await expect(page.getByTestId('eval-samples-0')).toHaveAttribute('data-ready', 'true');
  await expect(page.getByTestId('eval-samples-3')).toHaveAttribute('data-ready', 'true');
  await page.screenshot({ path: test.info().outputPath('guidance-trade-off.png'), fullPage: true });

  // Both methods side by side in one run (same noise and classes): at s = 0 both are the
  // unconditional model, so their s = 0 rows agree; four lines on the chart, two of diversity.
  await page.getByRole('combobox', { name: 'Evaluated guidance' }).selectOption('both');
  await page.getByRole('spinbutton', { name: 'DDIM steps' }).fill('2');
  await page.getByRole('textbox', { name: 'Guidance scales' }).fill('0');
  await page.getByRole('textbox', { name: 'Classifier scales' }).fill('0, 10');
  await expect(page.locator('#eval-scales-help')).toContainText('3 scales × 20 samples × 2 steps');
  await run.click();
  await expect(page.getByTestId('cg-eval-row')).toHaveCount(2, { timeout: 60_000 });
  await expect(run).toBeEnabled();
  await expect(page.getByTestId('eval-row')).toHaveCount(1);
  await expect(page.getByTestId('eval-caption')).toContainText('side by side');
  const cell = (prefix: string, id: string) =>
    page
      .locator(`[data-testid="${prefix}eval-row"][data-scale="0"] [data-testid="${prefix}${id}"]`)
      .getAttribute('data-value');
  expect(Number(await cell('cg-', 'eval-fd'))).toBeCloseTo(Number(await cell('', 'eval-fd')), 3);
  expect(await cell('cg-', 'eval-accuracy')).toBe(await cell('', 'eval-accuracy'));
  await expect(page.getByTestId('tradeoff-chart').locator('.recharts-line')).toHaveCount(4);
  await expect(page.getByTestId('diversity-chart').locator('.recharts-line')).toHaveCount(2);
  await expect(page.getByTestId('cg-eval-samples-10')).toHaveAttribute('data-ready', 'true');
  await page.getByRole('combobox', { name: 'Evaluated guidance' }).selectOption('classifier-free');
  await page.getByRole('spinbutton', { name: 'DDIM steps' }).fill('10');

  // Cancel stops a longer run and leaves the page ready for the next one.
  await page.getByRole('textbox', { name: 'Guidance scales' }).fill('1, 2');
  await run.click();
  await expect(page.getByTestId('eval-progress')).toContainText('s = 1');
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByTestId('eval-note')).toContainText('Stopped early (cancelled)');
  await expect(run).toBeEnabled();
  expect(consoleErrors).toEqual([]);
});

test('scores a CIFAR-10 model with the CIFAR-10 judge', async ({ page, consoleErrors }) => {
  test.setTimeout(120_000);
  // The link's data set decides the model loaded at start: the pretrained CIFAR-10 one.
  await page.goto('./?backend=wasm#view=evaluate&data=cifar10');
  expect(await backendOf(page)).toBe('wasm');
  const run = page.getByRole('button', { name: 'Run evaluation' });
  await expect(run).toBeEnabled({ timeout: 90_000 });
  await expect(page.getByTestId('eval-unavailable')).toHaveCount(0);
  // Tiny: one scale, 20 samples (2 per class), one DDIM step.
  await page.getByRole('combobox', { name: 'Samples per scale' }).selectOption('20');
  await expect(page.getByRole('combobox', { name: 'Samples per scale' })).toContainText(
    '2 per class',
  );
  await page.getByRole('spinbutton', { name: 'DDIM steps' }).fill('1');
  await page.getByRole('textbox', { name: 'Guidance scales' }).fill('3');
  await run.click();
  await expect(page.getByTestId('eval-row')).toHaveCount(1, { timeout: 90_000 });
  const value = async (id: string) =>
    Number(
      await page
        .locator(`[data-testid="eval-row"] [data-testid="${id}"]`)
        .getAttribute('data-value'),
    );
  expect(await value('eval-accuracy')).toBeGreaterThanOrEqual(0);
  expect(await value('eval-fd')).toBeGreaterThan(0);
  const perClass = page.getByRole('table', { name: 'Accuracy per class' });
  await expect(perClass.locator('thead')).toContainText('airplane');
  await expect(perClass.locator('tbody tr')).toHaveCount(1);
  await expect(page.getByTestId('eval-samples-3')).toHaveAttribute('data-ready', 'true');
  await expect(page.getByText('recognise the ten CIFAR-10 classes')).toBeVisible();
  expect(consoleErrors).toEqual([]);
});
