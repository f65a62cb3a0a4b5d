// Forward view beyond the slider: chain vs closed form, histogram, filmstrip, uploads, drawing.
import { encode } from 'fast-png';
import { test, expect, backendOf, canvasPixels } from './fixtures';

function pngOfSize(width: number, height: number): Buffer {
  // A dark vertical bar on white paper, like a photo of a handwritten "1".
  const data = new Uint8Array(width * height * 3).fill(255);
  for (let y = Math.floor(height * 0.2); y < Math.floor(height * 0.8); y++) {
    for (let x = Math.floor(width * 0.45); x < Math.floor(width * 0.55); x++) {
      data.fill(0, (y * width + x) * 3, (y * width + x) * 3 + 3);
    }
  }
  return Buffer.from(encode({ width, height, data, channels: 3, depth: 8 }));
}

test('chain and closed form, histogram and filmstrip', async ({ page, consoleErrors }) => {
  await page.goto('./#t=600');
  // The default here: WebGPU is SwiftShader, a software adapter, so the page picks wasm.
  expect(await backendOf(page)).toBe('wasm');
  await expect(page.getByTestId('xt-canvas')).toHaveAttribute('data-ready', 'true');
  await expect(
    page.getByTestId('xt-histogram').locator('.recharts-bar-rectangle').first(),
  ).toBeVisible();
  const closed = await canvasPixels(page, 'xt-canvas');
  const closedStats = await page.getByTestId('xt-stats').textContent();

  await page.getByRole('combobox', { name: 'Noising route' }).selectOption('chain');
  await expect.poll(() => canvasPixels(page, 'xt-canvas')).not.toBe(closed);
  // Other random draws, same distribution: the std stays near sqrt(1 - alphaBar) ≈ 1.
  await expect(page.getByTestId('xt-stats')).not.toHaveText(closedStats ?? '');
  const std = Number(
    (await page.getByTestId('xt-stats').textContent())?.match(/std ([\d.]+)/)?.[1],
  );
  expect(std).toBeGreaterThan(0.8);
  expect(std).toBeLessThan(1.2);

  // The filmstrip: 8 frames per schedule; at t = 0 the two rows look the same, later they differ.
  await expect(page.getByTestId('film-linear-7')).toHaveAttribute('data-ready', 'true');
  await expect(page.getByTestId('film-cosine-7')).toHaveAttribute('data-ready', 'true');
  expect(await canvasPixels(page, 'film-linear-3')).not.toBe(
    await canvasPixels(page, 'film-cosine-3'),
  );
  expect(consoleErrors).toEqual([]);
});

test('upload a picture of any size, reject a broken file, draw a digit', async ({
  page,
  consoleErrors,
}) => {
  await page.goto('./#t=0');
  // The default here: WebGPU is SwiftShader, a software adapter, so the page picks wasm.
  expect(await backendOf(page)).toBe('wasm');
  await expect(page.getByTestId('x0-canvas')).toHaveAttribute('data-ready', 'true');
  const datasetImage = await canvasPixels(page, 'x0-canvas');

  const upload = page.getByLabel('Upload a picture');
  await upload.setInputFiles({
    name: 'one.png',
    mimeType: 'image/png',
    buffer: pngOfSize(300, 180),
  });
  await expect(page.getByTestId('custom-note')).toBeVisible();
  await expect(page.getByTestId('x0-canvas')).toHaveAttribute('aria-label', 'x₀ (your picture)');
  await expect.poll(() => canvasPixels(page, 'x0-canvas')).not.toBe(datasetImage);
  const uploaded = await canvasPixels(page, 'x0-canvas');

  // A file that is not a picture: a clear message, and the picture in use stays.
  await upload.setInputFiles({
    name: 'notes.png',
    mimeType: 'image/png',
    buffer: Buffer.from('not a png'),
  });
  await expect(page.getByRole('alert')).toContainText(
    '"notes.png" is not a picture this browser can read',
  );
  expect(await canvasPixels(page, 'x0-canvas')).toBe(uploaded);

  // Draw a stroke and use it.
  await page.getByRole('button', { name: 'Draw' }).click();
  const pad = page.getByTestId('drawpad');
  const box = await pad.boundingBox();
  if (!box) throw new Error('draw pad not visible');
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.8, { steps: 10 });
  await page.mouse.up();
  await page.getByRole('button', { name: 'Use drawing' }).click();
  await expect.poll(() => canvasPixels(page, 'x0-canvas')).not.toBe(uploaded);
  await expect(page.getByRole('alert')).toHaveCount(0);

  // Back to the data set.
  await page.getByRole('button', { name: 'Random image' }).click();
  await expect(page.getByTestId('custom-note')).toHaveCount(0);
  await page.screenshot({ path: test.info().outputPath('forward-extras.png'), fullPage: true });
  expect(consoleErrors).toEqual([]);
});
