// Shared e2e helpers: collect console errors and page crashes so every test can assert none, and
// fail any test, in every spec file, whose pages report a Content-Security-Policy violation.
import { test as base, expect, type Page } from '@playwright/test';

const CSP_TEXT = /Content[ -]Security[ -]Policy|securitypolicyviolation/i;

export const test = base.extend<{ consoleErrors: string[]; cspViolations: string[] }>({
  // Automatic: every test of every page in its context (new pages included) is watched.
  cspViolations: [
    async ({ context }, use) => {
      const violations: string[] = [];
      context.on('console', (msg) => {
        if (CSP_TEXT.test(msg.text())) violations.push(msg.text());
      });
      // The browser logs violations itself; the event also catches ones it might not log.
      await context.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (e) => {
          console.error(
            `securitypolicyviolation: ${e.effectiveDirective} blocked ${e.blockedURI || 'inline'}`,
          );
        });
      });
      await use(violations);
      expect(violations, 'Content-Security-Policy violations').toEqual([]);
    },
    { auto: true },
  ],
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
export type { Page };

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
