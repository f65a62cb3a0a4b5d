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
