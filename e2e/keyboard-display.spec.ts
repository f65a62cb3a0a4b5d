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

test('keys work after clicking a tab or dragging a slider; Space restarts a finished run; play speed', async ({
  page,
  consoleErrors,
}) => {
  test.setTimeout(150_000);
  await page.goto('./?backend=wasm#view=forward&t=100');
  expect(await backendOf(page)).toBe('wasm');
  const tValue = page.getByTestId('t-value');
  await expect(tValue).toHaveText('100');

  // Clicking a tab leaves the focus on it: the arrows still move t, space still plays.
  await page.getByRole('tab', { name: 'Forward process' }).click();
  await page.keyboard.press('ArrowRight');
  await expect(tValue).toHaveText('101');
  await expect(page.getByRole('tab', { name: 'Forward process' })).toBeFocused();

  // Dragging the t slider leaves the focus on it: space plays and pauses instead of nothing.
  const slider = page.getByRole('slider', { name: 'Timestep t' });
  const box = await slider.boundingBox();
  if (!box) throw new Error('no slider box');
  await page.mouse.move(box.x + box.width * 0.2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await expect(slider).toBeFocused();
  const dragged = Number(await tValue.textContent());
  expect(dragged).toBeGreaterThan(150);
  await page.keyboard.press('ArrowLeft');
  await expect(tValue).toHaveText(String(dragged - 1));

  // 4× speed: a sweep over all 1000 t takes about a second.
  await page.getByRole('combobox', { name: 'Play speed' }).selectOption('4');
  await page.getByRole('tab', { name: 'Forward process' }).click();
  await page.keyboard.press(' ');
  await expect(tValue).toHaveText('999', { timeout: 10_000 });
  await expect(page.getByRole('button', { name: 'Play', exact: true })).toBeVisible();
  // At 0.25× (16 s a sweep), with the focus left on the speed select: space starts over from 0.
  await page.getByRole('combobox', { name: 'Play speed' }).selectOption('0.25');
  await page.keyboard.press(' ');
  await expect(page.getByRole('button', { name: 'Pause' })).toBeVisible();
  await expect.poll(async () => Number(await tValue.textContent())).toBeLessThan(500);
  await page.keyboard.press(' ');
  await expect(page.getByRole('button', { name: 'Play', exact: true })).toBeVisible();

  // Reverse sampling: the first grid (DDIM 50 steps) finishes by itself.
  await page.getByRole('tab', { name: 'Reverse sampling' }).click();
  const step = page.getByTestId('sampling-step');
  await expect(step).toHaveText('50', { timeout: 60_000 });
  // The tab still has the focus; space restarts the finished run, step by step from x_T.
  await page.keyboard.press(' ');
  await expect(page.getByRole('button', { name: 'Pause' })).toBeVisible();
  await expect.poll(async () => Number(await step.textContent())).toBeGreaterThan(2);
  await expect.poll(async () => Number(await step.textContent())).toBeLessThan(50);
  await page.keyboard.press(' ');
  await expect(page.getByRole('button', { name: 'Play', exact: true })).toBeVisible();
  // A step already in flight when Pause was pressed still lands: wait until the worker is idle.
  await expect(page.getByRole('button', { name: 'Step forward' })).toBeEnabled();
  const paused = Number(await step.textContent());

  // Dragging the guidance slider changes s; the arrows then step the sampler, not s.
  const guidance = page.getByRole('slider', { name: 'Guidance scale' });
  const g = await guidance.boundingBox();
  if (!g) throw new Error('no guidance slider box');
  await page.mouse.click(g.x + g.width * 0.5, g.y + g.height / 2);
  await expect(guidance).toBeFocused();
  const s = await page.getByTestId('guidance-value').textContent();
  await page.keyboard.press('ArrowLeft');
  await expect(step).toHaveText(String(paused - 1));
  await page.keyboard.press('ArrowRight');
  await expect(step).toHaveText(String(paused));
  await page.keyboard.press('ArrowRight');
  await expect(step).toHaveText(String(paused + 1));
  await expect(page.getByTestId('guidance-value')).toHaveText(s ?? '');
  expect(consoleErrors).toEqual([]);
});
