// Classifier guidance in the Reverse sampling view, on wasm with the shipped models: a link that
// selects it runs the first grid guided by the noisy classifier, whose class probabilities and
// gradient image are drawn; switching back to classifier-free hides them.
import { expect, test } from '@playwright/test';

test('classifier guidance draws p(y | x_t, t) and g per step', async ({ page }) => {
  await page.goto('./?backend=wasm#view=sampling&class=7&gmethod=classifier&cscale=10&steps=2&n=1');
  await expect(page.getByRole('combobox', { name: 'Guidance', exact: true })).toHaveValue(
    'classifier',
  );
  await expect(page.getByTestId('classifier-scale-value')).toHaveText('10');
  const panel = page.getByTestId('classifier-guidance-panel');
  await expect(panel).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('classifier-probs').locator('rect')).toHaveCount(10);
  await expect(page.getByTestId('classifier-grad')).toBeVisible();
  await expect(panel).toContainText('Dhariwal');
  // The shipped classifier's accuracy per t-bucket, from its model.json.
  await expect(page.getByTestId('noisy-classifier-accuracy')).toContainText('0–99');
  expect(page.url()).toContain('gmethod=classifier');
  await page
    .getByRole('combobox', { name: 'Guidance', exact: true })
    .selectOption('classifier-free');
  await expect(page.getByLabel('Classifier scale')).toHaveCount(0);
});

test('a noise-aware classifier trained in the page takes over guidance, and the shipped one comes back', async ({
  page,
}) => {
  await page.goto('./?backend=wasm#view=sampling&class=3&gmethod=classifier&cscale=5&steps=2&n=1');
  const panel = page.getByTestId('noisy-classifier-panel');
  await expect(panel).toBeVisible({ timeout: 60_000 });
  await expect(panel).toContainText('Dhariwal');
  // The shipped classifier's accuracy table arrives above the button: click once it is there,
  // or the layout shift can carry the button away from under the click.
  await expect(panel.getByRole('table')).toBeVisible({ timeout: 60_000 });
  await page.getByLabel('Classifier training seconds').fill('5');
  await page.getByRole('button', { name: 'Train a classifier here' }).click();
  await expect(page.getByLabel('Classifier training progress')).toBeVisible();
  const origin = page.getByTestId('noisy-classifier-origin');
  await expect(origin).toContainText('trained in this browser', { timeout: 120_000 });
  await expect(origin).toContainText(/\d+ steps on 60000 images/);
  // Its own accuracy per t, measured on 500 test digits per bucket.
  await expect(page.getByTestId('noisy-classifier-accuracy')).toContainText(
    '500 images per bucket',
  );
  await expect(page.getByTestId('noisy-classifier-error')).toHaveCount(0);
  // The next run is guided by it.
  await page.getByRole('button', { name: 'Sample', exact: true }).click();
  await expect(page.getByTestId('classifier-guidance-panel')).toBeVisible({ timeout: 60_000 });
  await page.getByRole('button', { name: 'Use the shipped classifier' }).click();
  await expect(origin).toContainText('the shipped one', { timeout: 30_000 });
});
