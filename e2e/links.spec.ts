// Links are untrusted input and a teaching tool's memory: any hash renders a view (never a blank
// page), a link replays the demo bit for bit, and the headers a host should send are in place.
import type { Page } from '@playwright/test';
import { test, expect, canvasPixels } from './fixtures';

const VIEWS = ['forward', 'schedules', 'training', 'sampling', 'evaluate', 'likelihood'];

/** Some view rendered its title, no view fell back to its error boundary, no uncaught error. */
async function expectRenderedView(page: Page, errors: string[], hash: string): Promise<void> {
  await expect(page.locator('main section.view h2').first(), hash).toBeVisible();
  await expect(page.getByTestId('view-error'), hash).toHaveCount(0);
  expect(errors, hash).toEqual([]);
}

/** Changes the hash in the open page, as a user typing into the address bar would. */
async function typeHash(page: Page, hash: string): Promise<void> {
  await page.evaluate((h) => {
    window.location.hash = h;
  }, hash);
}

test('a grid of share links over T, t, steps and view: every one renders with t inside 0..T−1', async ({
  page,
  consoleErrors,
}) => {
  test.setTimeout(180_000);
  // Fresh loads: the failing links of issue 16 (a small T without t blanked the page).
  for (const hash of ['#T=100', '#view=schedules&T=77', '#view=sampling&steps=4000&n=1&T=2']) {
    await page.goto(`./?backend=wasm${hash}`);
    await expectRenderedView(page, consoleErrors, hash);
  }
  // The whole grid in one open page, by editing the hash (also how #T=50 broke an open page).
  let checked = 0;
  for (const view of VIEWS) {
    for (const T of [2, 77, 4000]) {
      for (const t of [null, 0, 99_999]) {
        // steps matters to the sampling view only: other views get it once, without.
        for (const steps of view === 'sampling' ? [null, 4000] : [null]) {
          const parts = [`view=${view}`, `T=${T}`, 'n=1'];
          if (t !== null) parts.push(`t=${t}`);
          if (steps !== null) parts.push(`steps=${steps}`);
          const hash = `#${parts.join('&')}`;
          await typeHash(page, hash);
          await expect(page.getByRole('tab', { selected: true })).toHaveCount(1);
          await expectRenderedView(page, consoleErrors, hash);
          const shown = page.getByTestId('t-value');
          if (view === 'forward' || view === 'schedules') {
            const tShown = Number(await shown.textContent());
            expect(tShown, hash).toBeGreaterThanOrEqual(0);
            expect(tShown, hash).toBeLessThanOrEqual(T - 1);
          }
          checked += 1;
        }
      }
    }
  }
  expect(checked).toBe(5 * 3 * 3 + 3 * 3 * 2);
});

/** mulberry32: a small seeded generator, so a failing hash can be replayed from the seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS = [
  'view',
  'data',
  'schedule',
  'T',
  'scaled',
  't',
  'image',
  'seed',
  'class',
  'guidance',
  'sampler',
  'steps',
  'eta',
  'sseed',
  'n',
  'at',
  'theme',
  'classroom',
  'snr',
  'lsteps',
  '__proto__',
  'constructor',
];
const VALUES = [
  '0',
  '1',
  '-1',
  '2',
  '3',
  '7.5',
  '99999',
  '1e308',
  'NaN',
  'Infinity',
  '-0',
  '0x10',
  '',
  'forward',
  'sampling',
  'evaluate',
  'cosine',
  'cifar10',
  'ddpm',
  'dark',
  '%3Cscript%3E',
  '%00',
  '%E2%80%AE',
  '%F0%9F%98%80',
  'a'.repeat(300),
  '1'.repeat(40),
  '[]',
  '{}',
  '%',
];

test('fuzz: random and mutated hashes never break the page (seeded, 12 s)', async ({
  page,
  consoleErrors,
}) => {
  test.setTimeout(120_000);
  const seed = 16_2026;
  const next = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
  const valid = '#view=schedules&T=100&t=50&seed=3&steps=20&n=2&eta=0.5&theme=dark';
  await page.goto(`./?backend=wasm${valid}`);
  await expectRenderedView(page, consoleErrors, valid);
  const deadline = Date.now() + 12_000;
  let tried = 0;
  while (Date.now() < deadline) {
    let hash: string;
    if (next() < 0.5) {
      const n = 1 + Math.floor(next() * 6);
      hash =
        '#' +
        Array.from({ length: n }, () => `${pick(KEYS)}=${pick(VALUES)}`).join(
          pick(['&', '&&', ';']),
        );
    } else {
      // Mutations of a valid link: cut, duplicate, flip a character, splice in junk.
      const chars = valid.split('');
      for (let k = 0; k < 1 + Math.floor(next() * 4); k++) {
        const i = Math.floor(next() * chars.length);
        const op = Math.floor(next() * 4);
        if (op === 0) chars.splice(i, 1);
        else if (op === 1) chars.splice(i, 0, chars[i] ?? '&');
        else if (op === 2) chars[i] = String.fromCharCode(32 + Math.floor(next() * 95));
        else chars.splice(i, 0, pick(VALUES));
      }
      hash = chars.join('');
    }
    await typeHash(page, hash);
    await expectRenderedView(page, consoleErrors, `seed ${seed}, try ${tried}: ${hash}`);
    tried += 1;
  }
  console.log(`fuzz: ${tried} hashes from seed ${seed}, no page error`);
  expect(tried).toBeGreaterThan(10);
});

test('a link made after changing seed, n, η and steps replays byte-identical images (wasm)', async ({
  page,
  consoleErrors,
}) => {
  test.setTimeout(180_000);
  // A cheap first grid, then the settings changed in the controls.
  await page.goto('./?backend=wasm#view=sampling&n=1&steps=2');
  await expect(page.getByTestId('sampling-step')).toHaveText('2', { timeout: 90_000 });
  await page.getByRole('spinbutton', { name: 'Seed' }).fill('4242');
  await page.getByRole('spinbutton', { name: 'Number of images' }).fill('3');
  await page.getByRole('spinbutton', { name: 'eta' }).fill('0.5');
  await page.getByRole('spinbutton', { name: 'Sampling steps' }).fill('6');
  await page.getByRole('button', { name: 'Sample', exact: true }).click();
  await expect(page.getByTestId('sampling-step')).toHaveText('0');
  // Step by step to step 4 of 6: the link must also carry the trajectory step shown.
  for (let k = 1; k <= 4; k++) {
    await page.getByRole('button', { name: 'Step forward' }).click();
    await expect(page.getByTestId('sampling-step')).toHaveText(String(k), { timeout: 60_000 });
  }
  const grids = ['sample-grid', 'x0pred-grid', 'eps-grid'];
  const made = await Promise.all(grids.map((g) => canvasPixels(page, g)));
  const link = await page.evaluate(() => window.location.href);
  for (const part of ['sseed=4242', 'n=3', 'eta=0.5', 'steps=6', 'at=4'])
    expect(link).toContain(part);

  // Copy link: the clipboard, or the link shown to copy by hand.
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.getByRole('button', { name: 'Copy link' }).click();
  await expect(page.getByText('Link copied')).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(link);

  const other = await page.context().newPage();
  const otherErrors: string[] = [];
  other.on('pageerror', (e) => otherErrors.push(e.message));
  await other.goto(link);
  await expect(other.getByTestId('sampling-step')).toHaveText('4', { timeout: 90_000 });
  await expect(other.getByTestId('sampling-note')).toContainText('stopped at step 4');
  const replayed = await Promise.all(grids.map((g) => canvasPixels(other, g)));
  for (let i = 0; i < grids.length; i++) expect(replayed[i], grids[i]).toBe(made[i]);
  // The rest of the run continues from there.
  await other.getByRole('button', { name: 'Step forward' }).click();
  await expect(other.getByTestId('sampling-step')).toHaveText('5', { timeout: 60_000 });
  await other.close();
  expect(otherErrors).toEqual([]);
  expect(consoleErrors).toEqual([]);
});

test('the site sends COOP, COEP, nosniff and the CSP, and the page is cross-origin isolated', async ({
  page,
  consoleErrors,
}) => {
  const response = await page.goto('./?backend=wasm#view=schedules');
  const headers = response?.headers() ?? {};
  expect(headers['cross-origin-opener-policy']).toBe('same-origin');
  expect(headers['cross-origin-embedder-policy']).toBe('require-corp');
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['content-security-policy']).toContain("'wasm-unsafe-eval'");
  const meta = await page
    .locator('meta[http-equiv="Content-Security-Policy"]')
    .getAttribute('content');
  expect(meta).toBe(headers['content-security-policy']);
  expect(await page.evaluate(() => window.crossOriginIsolated)).toBe(true);
  await expect(page.getByTestId('backend')).not.toHaveAttribute('data-backend', '', {
    timeout: 90_000,
  });
  expect(consoleErrors).toEqual([]);
});
