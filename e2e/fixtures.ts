// Shared e2e helpers: collect console errors and page crashes so every test can assert none.
import { test as base, expect, type Page } from '@playwright/test';

export const test = base.extend<{ consoleErrors: string[] }>({
  consoleErrors: async ({ page }, use) => {
    const errors: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(msg.text());
    });
    page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
    await use(errors);
  },
});

export { expect };

/** Waits until the worker reports its backend and returns it. */
export async function backendOf(page: Page): Promise<string> {
  const badge = page.getByTestId('backend');
  await expect(badge).not.toHaveAttribute('data-backend', '', { timeout: 90_000 });
  return (await badge.getAttribute('data-backend')) ?? '';
}

/** A canvas's pixels as a data URL: equal strings mean identical images. */
export function canvasPixels(page: Page, testId: string): Promise<string> {
  return page.getByTestId(testId).evaluate((c) => (c as HTMLCanvasElement).toDataURL('image/png'));
}
