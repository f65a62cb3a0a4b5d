// Keyboard use, play, classroom mode and themes, as a teacher at a projector would use them.
import { test, expect, backendOf } from './fixtures';

test('arrow keys and space move t; classroom mode and theme stick', async ({
  page,
  consoleErrors,
}) => {
  await page.goto('./#t=100');
  // The default here: WebGPU is SwiftShader, a software adapter, so the page picks wasm.
  expect(await backendOf(page)).toBe('wasm');
  const tValue = page.getByTestId('t-value');
  await expect(tValue).toHaveText('100');

  // Keys on the page body (not in a form field) drive t.
  await page.locator('h2').first().click();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect(tValue).toHaveText('102');
  await page.keyboard.press('Shift+ArrowLeft');
  await expect(tValue).toHaveText('2');

  // Space plays: t runs forward on its own, then space pauses it.
  await page.keyboard.press(' ');
  await expect(page.getByRole('button', { name: 'Pause' })).toBeVisible();
  await expect.poll(async () => Number(await tValue.textContent())).toBeGreaterThan(20);
  await page.keyboard.press(' ');
  await expect(page.getByRole('button', { name: 'Play' })).toBeVisible();
  const paused = await tValue.textContent();
  await page.waitForTimeout(300);
  await expect(tValue).toHaveText(paused ?? '');

  // Classroom mode: larger type, advanced controls hidden; remembered after a reload.
  const fontBefore = await page.evaluate(() => getComputedStyle(document.documentElement).fontSize);
  await page.getByRole('button', { name: 'Classroom mode' }).click();
  await expect(page.getByRole('button', { name: 'New noise' })).toBeHidden();
  const fontAfter = await page.evaluate(() => getComputedStyle(document.documentElement).fontSize);
  expect(parseFloat(fontAfter)).toBeGreaterThan(parseFloat(fontBefore));
  await page.getByRole('combobox', { name: 'Theme' }).selectOption('dark');
  const bg = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
  expect(bg).toBe('rgb(17, 20, 26)');
  await page.screenshot({ path: test.info().outputPath('classroom-dark.png'), fullPage: true });
  await page.reload();
  await expect(page.getByRole('button', { name: 'Classroom mode' })).toHaveAttribute(
    'aria-pressed',
    'true',
  );
  expect(
    await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor),
  ).toBe(bg);
  await page.getByRole('button', { name: 'Classroom mode' }).click();
  await expect(page.getByRole('button', { name: 'New noise' })).toBeVisible();
  expect(consoleErrors).toEqual([]);
});
