// Page start-up as a visitor sees it (issue 12's targets): the default page, built and served as
// the README says (vite preview: COOP/COEP, so wasm gets its threads), in one fresh browser
// profile. --loads times it opens the Sampling view (the first load measures the backends, later
// ones reuse the choice the page remembered) and prints that load's milestones
// (src/ui/timings.ts, ms since navigation: boot, backendReady, modelLoaded, samplingStart,
// samplingDone, firstGridPainted) with "sampleFirstEnabledMs", the first moment the Sample button
// could be pressed, and "sampleEnabledMs", from when it stayed enabled; then it opens the Training
// view, presses Train and prints "firstStepMs", how long after the click the step counter first
// showed a step.
//   npm run build && npx tsx scripts/bench/page-start.ts [--loads 3] [--url URL]
// One JSON object per line on stdout; with --loads 3 or more, a last line gives [min, median, max]
// of the main milestones over the later loads.
//
// Everything is timed inside the page, by a MutationObserver this script installs before the
// page's own scripts run; from outside it only waits, polling twice a second. (An earlier version
// polled the page every 20 ms: on this 2-core machine that cost the page's main thread and the
// browser process CPU time the second wasm thread needed.)
import { parseArgs } from 'node:util';
import type { Page } from '@playwright/test';
import { launchChromium, startPreview } from './preview';

const { values } = parseArgs({
  options: { loads: { type: 'string', default: '3' }, url: { type: 'string' } },
});
const loads = Number(values.loads);
if (!Number.isInteger(loads) || loads < 1) throw new Error('--loads must be an integer >= 1');

type Timings = Record<string, number>;

/** What the observer records, in the page's clock (ms since navigation). */
interface Observed {
  /** Each time the Sample button went from missing or disabled to enabled. */
  sampleEnabled: number[];
  /** When Train was clicked, and when the step counter first showed a step after it. */
  trainClicked?: number;
  firstStep?: number;
}

/** Installed before the page's scripts (addInitScript). No named inner functions: tsx would wrap them in a helper the page lacks. */
function observe(): void {
  const o: Observed = { sampleEnabled: [] };
  (window as unknown as { __startup: Observed }).__startup = o;
  let enabled = false;
  document.addEventListener(
    'click',
    (e) => {
      const b = (e.target as Element | null)?.closest('button');
      if (b?.textContent?.trim() === 'Train') o.trainClicked ??= performance.now();
    },
    true,
  );
  new MutationObserver(() => {
    const b = [...document.querySelectorAll('button')].find(
      (e) => e.textContent?.trim() === 'Sample',
    );
    const now = b !== undefined && !b.disabled;
    if (now && !enabled) o.sampleEnabled.push(Math.round(performance.now()));
    enabled = now;
    if (o.trainClicked !== undefined && o.firstStep === undefined) {
      const counter = document.querySelector('[data-testid="step-counter"]')?.textContent ?? '';
      if (/step [1-9]/.test(counter)) o.firstStep = performance.now();
    }
  }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
}

async function observed(page: Page): Promise<Observed> {
  return page.evaluate(() => (window as unknown as { __startup: Observed }).__startup);
}

/** Waits until the page has recorded a milestone (src/ui/timings.ts). */
async function milestone(page: Page, name: string): Promise<void> {
  await page.waitForFunction(
    (m) =>
      (window as unknown as { __playground?: { timings?: Timings } }).__playground?.timings?.[m] !==
      undefined,
    name,
    { timeout: 120_000, polling: 500 },
  );
}

async function sampleLoad(page: Page, base: string): Promise<Record<string, unknown>> {
  const start = Date.now();
  await page.goto(`${base}#view=sampling`);
  await milestone(page, 'firstGridPainted');
  // The button comes back once the grid is in (the same render, or the next).
  await page
    .getByRole('button', { name: 'Sample', exact: true })
    .and(page.locator(':enabled'))
    .waitFor({ timeout: 120_000 });
  const timings = await page.evaluate(
    () => (window as unknown as { __playground: { timings: Timings } }).__playground.timings,
  );
  const { sampleEnabled } = await observed(page);
  const how = await page.getByTestId('backend').getAttribute('data-how');
  const peers = Number(await page.getByTestId('backend').getAttribute('data-peers'));
  // How the first grid's last step was shared ("8 here + 8 on 1 worker", "8 + 8 on 2 workers").
  const split = page.getByTestId('sampling-split');
  const splitText = (await split.count()) > 0 ? await split.textContent() : null;
  return {
    ...timings,
    sampleFirstEnabledMs: sampleEnabled[0],
    sampleEnabledMs: sampleEnabled[sampleEnabled.length - 1],
    backendHow: how,
    samplingPeers: peers,
    split: splitText?.replace(/^\s*·\s*/, '') ?? null,
    wallMs: Date.now() - start,
  };
}

async function firstTrainingStep(page: Page, base: string): Promise<number> {
  await page.goto(`${base}#view=training`);
  await milestone(page, 'backendReady');
  const train = page.getByRole('button', { name: 'Train', exact: true });
  await train.waitFor({ timeout: 120_000 });
  await train.click();
  await page.waitForFunction(
    () => (window as unknown as { __startup: Observed }).__startup.firstStep !== undefined,
    null,
    { timeout: 120_000, polling: 500 },
  );
  const o = await observed(page);
  return Math.round((o.firstStep ?? NaN) - (o.trainClicked ?? NaN));
}

const SUMMARISED = ['backendReady', 'samplingStart', 'firstGridPainted', 'sampleEnabledMs'];

/** min, median and max of each milestone over the loads (this machine's speed drifts: give ranges). */
function ranges(rows: Record<string, unknown>[]): Record<string, [number, number, number]> {
  const out: Record<string, [number, number, number]> = {};
  for (const key of SUMMARISED) {
    const v = rows
      .map((r) => r[key])
      .filter((x): x is number => typeof x === 'number')
      .sort((a, b) => a - b);
    if (v.length > 0) out[key] = [v[0], v[Math.floor((v.length - 1) / 2)], v[v.length - 1]];
  }
  return out;
}

async function main(): Promise<void> {
  const port = 4198;
  const server = values.url ? null : await startPreview(port);
  const base = values.url ?? `http://127.0.0.1:${port}/`;
  const browser = await launchChromium();
  try {
    const context = await browser.newContext();
    await context.addInitScript(observe);
    const later: Record<string, unknown>[] = [];
    for (let i = 0; i < loads; i++) {
      const page = await context.newPage();
      try {
        const load = await sampleLoad(page, base);
        if (i > 0) later.push(load);
        console.log(JSON.stringify({ load: i + 1, view: 'sampling', ...load }));
      } finally {
        await page.close();
      }
    }
    if (later.length > 1) console.log(JSON.stringify({ summary: 'later loads', ...ranges(later) }));
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
