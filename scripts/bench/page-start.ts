// Page start-up as a visitor sees it (issue 12's targets): the default page, built and served as
// the README says (vite preview: COOP/COEP, so wasm gets its threads), in one fresh browser
// profile. --loads times it opens the Sampling view (the first load measures the backends, later
// ones reuse the choice the page remembered) and prints that load's milestones
// (src/ui/timings.ts, ms since navigation: boot, backendReady, modelLoaded, samplingStart,
// samplingDone, firstGridPainted) with "sampleEnabledMs", when the Sample button could be pressed;
// then it opens the Training view, presses Train and prints "firstStepMs", how long after the
// click the step counter first showed a step.
//   npm run build && npx tsx scripts/bench/page-start.ts [--loads 3] [--url URL]
// One JSON object per line on stdout.
import { parseArgs } from 'node:util';
import type { Page } from '@playwright/test';
import { launchChromium, startPreview } from './preview';

const { values } = parseArgs({
  options: { loads: { type: 'string', default: '3' }, url: { type: 'string' } },
});
const loads = Number(values.loads);
if (!Number.isInteger(loads) || loads < 1) throw new Error('--loads must be an integer >= 1');

type Timings = Record<string, number>;

/** Waits until the page has recorded a milestone (src/ui/timings.ts). */
async function milestone(page: Page, name: string): Promise<void> {
  await page.waitForFunction(
    (m) =>
      (window as unknown as { __playground?: { timings?: Timings } }).__playground?.timings?.[m] !==
      undefined,
    name,
    { timeout: 120_000 },
  );
}

async function sampleLoad(page: Page, base: string): Promise<Record<string, unknown>> {
  const start = Date.now();
  await page.goto(`${base}#view=sampling`);
  const sample = page.getByRole('button', { name: 'Sample', exact: true });
  await sample.waitFor({ timeout: 120_000 });
  // Polled in the page, so the time is the page's own clock (ms since navigation).
  const enabled = await page.waitForFunction(
    () => {
      const b = [...document.querySelectorAll('button')].find(
        (e) => e.textContent?.trim() === 'Sample',
      );
      return b !== undefined && !b.disabled && Math.round(performance.now());
    },
    null,
    { timeout: 120_000, polling: 20 },
  );
  const sampleEnabledMs = (await enabled.jsonValue()) as number;
  await milestone(page, 'firstGridPainted');
  const timings = await page.evaluate(
    () => (window as unknown as { __playground: { timings: Timings } }).__playground.timings,
  );
  const how = await page.getByTestId('backend').getAttribute('data-how');
  return { ...timings, sampleEnabledMs, backendHow: how, wallMs: Date.now() - start };
}

async function firstTrainingStep(page: Page, base: string): Promise<number> {
  await page.goto(`${base}#view=training`);
  await milestone(page, 'backendReady');
  const train = page.getByRole('button', { name: 'Train', exact: true });
  await train.waitFor({ timeout: 120_000 });
  const start = Date.now();
  await train.click();
  await page.waitForFunction(
    () =>
      /step [1-9]/.test(document.querySelector('[data-testid="step-counter"]')?.textContent ?? ''),
    null,
    { timeout: 120_000, polling: 20 },
  );
  return Date.now() - start;
}

async function main(): Promise<void> {
  const port = 4198;
  const server = values.url ? null : await startPreview(port);
  const base = values.url ?? `http://127.0.0.1:${port}/`;
  const browser = await launchChromium();
  try {
    const context = await browser.newContext();
    for (let i = 0; i < loads; i++) {
      const page = await context.newPage();
      try {
        console.log(
          JSON.stringify({ load: i + 1, view: 'sampling', ...(await sampleLoad(page, base)) }),
        );
      } finally {
        await page.close();
      }
    }
    const page = await context.newPage();
    try {
      console.log(
        JSON.stringify({ view: 'training', firstStepMs: await firstTrainingStep(page, base) }),
      );
    } finally {
      await page.close();
    }
  } finally {
    await browser.close();
    server?.kill();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`page-start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
