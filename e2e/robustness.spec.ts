// What a careless student or a hostile file does to the page (issue 16): double clicks start one
// training loop, errors appear where the action was taken, a reload keeps the work, and a broken
// model's samples come with a warning.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect, backendOf } from './fixtures';

async function trainerStep(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const w = window as unknown as {
      __playground: { worker: () => { trainingState(): Promise<{ step: number }> } };
    };
    return (await w.__playground.worker().trainingState()).step;
  });
}

async function tinyTraining(page: Page): Promise<void> {
  await page.getByRole('combobox', { name: 'Model size' }).selectOption('tiny');
  await page.getByRole('spinbutton', { name: 'Batch size' }).fill('2');
  await page.getByRole('spinbutton', { name: 'Steps to train' }).fill('5000');
  await page.getByRole('spinbutton', { name: 'Preview every' }).fill('0');
}

test('a double-click on Train starts one loop: after Pause the steps stop', async ({
  page,
  consoleErrors,
}) => {
  test.setTimeout(180_000);
  await page.goto('./?backend=wasm#view=training');
  expect(await backendOf(page)).toBe('wasm');
  // The pretrained model is in use, so Train first creates a new model (the racy path).
  await expect(page.getByTestId('model-info')).toHaveAttribute('data-origin', 'pretrained', {
    timeout: 90_000,
  });
  await tinyTraining(page);
  await page.getByRole('button', { name: 'Train', exact: true }).dblclick();
  await expect(page.getByTestId('training-state')).toHaveText('running', { timeout: 60_000 });
  await expect.poll(() => trainerStep(page), { timeout: 60_000 }).toBeGreaterThan(3);
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByTestId('training-state')).toHaveText('paused', { timeout: 60_000 });
  const stopped = await trainerStep(page);
  await page.waitForTimeout(3000);
  expect(await trainerStep(page)).toBe(stopped);
  await expect(page.getByTestId('step-counter')).toHaveText(`step ${stopped} of 5000`);
  // Loading the pretrained model afterwards works (two loops made it fail before).
  await page.getByRole('button', { name: 'Load pretrained MNIST' }).click();
  await expect(page.getByTestId('model-info')).toHaveAttribute('data-origin', 'pretrained', {
    timeout: 60_000,
  });
  await expect(page.getByRole('alert')).toHaveCount(0);
  expect(consoleErrors).toEqual([]);
});

for (const view of ['training', 'sampling'] as const) {
  test(`a failed model upload says so in the ${view} view, and the model in use stays`, async ({
    page,
    consoleErrors,
  }) => {
    await page.goto(`./?backend=wasm#view=${view}&n=1&steps=2`);
    const info = page.getByTestId('model-info');
    await expect(info).toHaveAttribute('data-origin', 'pretrained', { timeout: 90_000 });
    await page.getByLabel('Upload a model').setInputFiles({
      name: 'homework.dpck',
      mimeType: 'application/octet-stream',
      buffer: Buffer.from('this is not a model'),
    });
    const error = page.getByTestId('model-error');
    await expect(error).toBeVisible();
    await expect(error).toContainText('Upload failed');
    await expect(error).toContainText('The model in use is unchanged.');
    await expect(info).toHaveAttribute('data-origin', 'pretrained');
    expect(consoleErrors).toEqual([]);
  });
}

test('leaving mid-training asks first, and a reload finds the work kept (Resume last session)', async ({
  page,
  consoleErrors,
}) => {
  test.setTimeout(240_000);
  await page.goto('./?backend=wasm#view=training');
  expect(await backendOf(page)).toBe('wasm');
  await tinyTraining(page);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => trainerStep(page), { timeout: 60_000 }).toBeGreaterThan(2);

  // Closing the tab while it trains: the browser asks (beforeunload), and staying keeps it.
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.type());
    void d.dismiss();
  });
  await page.close({ runBeforeUnload: true });
  await expect.poll(() => dialogs).toEqual(['beforeunload']);
  expect(page.isClosed()).toBe(false);

  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByTestId('training-state')).toHaveText('paused', { timeout: 60_000 });
  const steps = await trainerStep(page);
  await expect(page.getByTestId('session-kept')).toContainText(`at step ${steps}`, {
    timeout: 30_000,
  });

  await page.reload();
  const resume = page.getByRole('button', { name: 'Resume last session' });
  await expect(resume).toBeVisible({ timeout: 90_000 });
  await expect(page.getByTestId('resume-session')).toContainText(`${steps} training steps`);
  await resume.click();
  await expect(page.getByTestId('model-steps')).toHaveText(String(steps), { timeout: 60_000 });
  await expect(page.getByTestId('model-info')).toHaveAttribute('data-origin', 'checkpoint');
  await expect(resume).toHaveCount(0);
  expect(consoleErrors).toEqual([]);
});

test('a model with weights scaled by 1e18 loads, but its samples come with a warning', async ({
  page,
  consoleErrors,
}) => {
  test.setTimeout(180_000);
  // Valid weights × 1e18 and no CRC: every format check passes (issue 16, item 5).
  const folder = resolve(test.info().config.rootDir, '..', 'models', 'mnist-cfg');
  const manifest = JSON.parse(readFileSync(resolve(folder, 'model.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  delete manifest.weightsCrc32;
  const bytes = readFileSync(resolve(folder, 'weights.bin'));
  const weights = new Float32Array(
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length),
  );
  for (let i = 0; i < weights.length; i++) weights[i] *= 1e18;

  await page.goto('./?backend=wasm#view=sampling&n=1&steps=2');
  await expect(page.getByTestId('sampling-step')).toHaveText('2', { timeout: 90_000 });
  await expect(page.getByTestId('sampling-warning')).toHaveCount(0);
  await page.getByLabel('Upload a model').setInputFiles([
    {
      name: 'model.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(manifest)),
    },
    {
      name: 'weights.bin',
      mimeType: 'application/octet-stream',
      buffer: Buffer.from(weights.buffer),
    },
  ]);
  await expect(page.getByTestId('model-info')).toHaveAttribute('data-origin', 'checkpoint', {
    timeout: 60_000,
  });
  await page.getByRole('button', { name: 'Sample', exact: true }).click();
  await expect(page.getByTestId('sampling-step')).toHaveText('0');
  await page.getByRole('button', { name: 'Step forward' }).click();
  await expect(page.getByTestId('sampling-step')).toHaveText('1', { timeout: 60_000 });
  await expect(page.getByTestId('sampling-warning')).toContainText('the model is broken');
  expect(consoleErrors).toEqual([]);
});
