// The schedules view: both schedules plotted, values at the shared t, T adjustable.
import { test, expect } from './fixtures';

test('schedules view plots linear against cosine and follows t and T', async ({
  page,
  consoleErrors,
}) => {
  await page.goto('./');
  await page.getByRole('tab', { name: 'Schedules' }).click();
  await expect(page.getByRole('heading', { name: /linear against cosine/ })).toBeVisible();
  for (const key of ['beta', 'alphaBar', 'sqrtAlphaBar', 'sqrtOneMinusAlphaBar', 'logSnr']) {
    await expect(page.getByTestId(`chart-${key}`).locator('.recharts-line')).toHaveCount(2);
  }

  // t = 250 of T = 1000 by default: the table shows the reference alphaBar values.
  const linearRow = page.getByTestId('values-linear');
  const cosineRow = page.getByTestId('values-cosine');
  await expect(linearRow).toContainText('0.521423');
  await expect(cosineRow).toContainText('0.845888');

  // Moving t moves the values.
  await page.getByRole('slider', { name: 'Timestep t' }).fill('500');
  await expect(linearRow).toContainText('0.0777967');
  await expect(cosineRow).toContainText('0.492285');

  // A smaller T keeps t at the same fraction of the chain and redraws the curves.
  const before = await page
    .getByTestId('chart-alphaBar')
    .locator('.recharts-line path')
    .first()
    .getAttribute('d');
  await page.getByRole('spinbutton', { name: 'Number of steps T' }).fill('100');
  await expect(page.getByTestId('t-value')).toHaveText('50');
  await expect
    .poll(() =>
      page.getByTestId('chart-alphaBar').locator('.recharts-line path').first().getAttribute('d'),
    )
    .not.toBe(before);

  // At T = 100 the plain linear schedule keeps signal to the end; rescaling by 1000/T fixes it.
  const linearAt50 = await linearRow.textContent();
  await page.getByRole('checkbox', { name: /Rescale linear/ }).check();
  await expect(linearRow).not.toHaveText(linearAt50 ?? '');
  await expect(cosineRow).toContainText('0.478265');

  await page.screenshot({ path: test.info().outputPath('schedules-view.png'), fullPage: true });
  expect(consoleErrors).toEqual([]);
});
