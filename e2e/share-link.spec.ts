// The URL hash reproduces what the teacher showed; a tampered link falls back with a notice.
import { test, expect } from './fixtures';

test('a share link restores the view, schedule and t; a tampered one falls back', async ({
  page,
  consoleErrors,
}) => {
  await page.goto('./#view=schedules&schedule=cosine&T=100&t=50&seed=3');
  await expect(page.getByRole('tab', { name: 'Schedules' })).toHaveAttribute(
    'aria-selected',
    'true',
  );
  await expect(page.getByTestId('t-value')).toHaveText('50');
  await expect(page.getByRole('spinbutton', { name: 'Number of steps T' })).toHaveValue('100');

  // Changing state rewrites the hash, so copying the address bar shares the current view.
  await page.getByRole('slider', { name: 'Timestep t' }).fill('70');
  await expect.poll(() => page.evaluate(() => window.location.hash)).toContain('t=70');
  const link = await page.evaluate(() => window.location.href);

  const other = await page.context().newPage();
  await other.goto(link);
  await expect(other.getByTestId('t-value')).toHaveText('70');
  await other.close();

  // Sampling settings travel too.
  await page.goto('./#view=sampling&class=7&guidance=7.5&sampler=ddpm');
  await expect(page.getByTestId('guidance-value')).toHaveText('7.5');
  await expect(page.getByRole('combobox', { name: 'Sampler' })).toHaveValue('ddpm');
  await page.getByRole('slider', { name: 'Guidance scale' }).fill('2');
  await expect.poll(() => page.evaluate(() => window.location.hash)).toContain('guidance=2');

  // A score-based sampler from a link: the first grid runs it (pretrained MNIST model, wasm,
  // 3 levels of the probability-flow ODE = 5 network evaluations, one image).
  await page.goto('./?backend=wasm#view=sampling&sampler=pf-ode&steps=3&n=1&class=7&guidance=3');
  await expect(page.getByRole('combobox', { name: 'Sampler' })).toHaveValue('pf-ode');
  await expect(page.getByTestId('sampling-nfe')).toContainText('(NFE) 5 of 5', { timeout: 60_000 });
  await expect(page.getByTestId('step-formula')).toContainText('Probability-flow ODE');
  await expect(page.getByTestId('sample-grid')).toHaveAttribute('aria-label', 'samples x₀');

  // The score samplers' own settings travel too: pc's snr r, annealed Langevin's M; a tampered
  // value is named in the notice and the rest of the link still applies.
  // (Same page: only the hash changes, so the first grid does not run again; Sample does.)
  await page.goto('./?backend=wasm#view=sampling&sampler=pc&snr=0.3&steps=2&n=1&class=4');
  await expect(page.getByRole('spinbutton', { name: 'Corrector snr' })).toHaveValue('0.3');
  await page.getByRole('button', { name: 'Sample', exact: true }).click();
  await expect(page.getByTestId('sampling-nfe')).toContainText('(NFE) 0 of 4');
  await page.getByRole('button', { name: 'Step forward' }).click();
  await expect(page.getByTestId('step-formula')).toContainText(/r\s*=\s*0\.3\b/, {
    timeout: 30_000,
  });
  await page.getByRole('combobox', { name: 'Sampler' }).selectOption('annealed-langevin');
  await page.getByRole('spinbutton', { name: 'Langevin steps per level' }).fill('3');
  await expect.poll(() => page.evaluate(() => window.location.hash)).toContain('lsteps=3');
  // A fresh load (another query), so the defaults stand where a value is rejected.
  await page.goto(
    './?backend=wasm&x=2#view=sampling&sampler=pc&snr=9e9&lsteps=-1&class=6&n=1&steps=1',
  );
  await expect(page.getByRole('status').filter({ hasText: 'snr="9e9"' })).toBeVisible();
  await expect(page.getByRole('spinbutton', { name: 'Corrector snr' })).toHaveValue('0.16');
  await expect(page.getByRole('combobox', { name: 'Class' })).toHaveValue('6');

  await page.goto('./?x=1#view=%3Cscript%3Ealert(1)%3C/script%3E&T=abc&t=-5');
  await expect(
    page.getByRole('status').filter({ hasText: 'link settings were ignored' }),
  ).toBeVisible();
  await expect(page.getByRole('tab', { name: 'Forward process' })).toHaveAttribute(
    'aria-selected',
    'true',
  );
  await expect(page.getByTestId('t-value')).toHaveText('0');
  expect(consoleErrors).toEqual([]);
});
