// The browser bench: the same JSON rows as `npm run bench`, measured inside the app's own Web
// Worker in headless Chromium (WebGPU on whatever adapter the browser has; SwiftShader here).
//   npm run build && npm run -s bench:browser -- [--backend wasm,webgpu] [--preset mnist/tiny]
//       [--batch 16] [--steps 3] [--warmup 1] [--threads 1,2] [--rounds 1] [--profile] [--url URL]
// Without --url it serves dist/ with `vite preview` on 127.0.0.1:4199 for the run. Each backend
// gets a fresh page opened on the Schedules view (which starts no model work of its own), forced
// with ?backend=; the worker's benchTrainStep times a fresh U-Net (src/engine/bench/trainStep.ts).
// --threads 1,2: wasm once per thread count (?threads=N), each on a fresh page opened on the
// Sampling view, so the row also carries that page's first grid: "firstGrid" holds the page's
// milestones (ms since navigation: backendReady, modelLoaded, samplingStart, samplingDone,
// firstGridPainted) and "gridMs" = samplingDone − samplingStart, the grid's own compute.
// N is the threads the page uses in all: "threads" (XNNPACK's pool in the compute worker) plus
// "samplingWorkers" (one thread each); two are one compute thread beside one sampling worker.
// --rounds R repeats the thread counts R times, alternating their order, to spread a shared
// machine's load over both. --profile adds the per-kernel profile (kernelProfile.ts). --trace
// (with --threads) records a Chromium trace of each page and adds "gridCpu": the CPU ms each
// group of threads spent while the first grid sampled (threadCpu.ts): the main thread, the
// compute worker, each sampling worker, V8 compiling JavaScript and WebAssembly in the
// background, the renderer's other threads, the other processes. Tracing slows the page a little.
// One JSON object per backend and preset on stdout; progress and failures on stderr.
import { launchChromium, startPreview } from './preview';
import { threadCpu, type TraceEvent } from './threadCpu';
import { parseArgs } from 'node:util';
import type { Browser, Page } from '@playwright/test';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm,webgpu' },
    preset: { type: 'string', default: 'mnist/tiny' },
    batch: { type: 'string', default: '16' },
    steps: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '1' },
    threads: { type: 'string' },
    rounds: { type: 'string', default: '1' },
    profile: { type: 'boolean', default: false },
    trace: { type: 'boolean', default: false },
    url: { type: 'string' },
  },
});

const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
const int = (name: string, s: string, min: number) => {
  const v = Number(s);
  if (!Number.isInteger(v) || v < min) throw new Error(`--${name} must be an integer >= ${min}`);
  return v;
};
const settings = {
  batch: int('batch', values.batch, 1),
  steps: int('steps', values.steps, 1),
  warmup: int('warmup', values.warmup, 0),
  profile: values.profile,
};
const threadCounts =
  values.threads === undefined ? [] : list(values.threads).map((t) => int('threads', t, 1));
const rounds = int('rounds', values.rounds, 1);

interface BenchWorker {
  benchTrainStep(req: {
    preset: string;
    batch: number;
    steps: number;
    warmup: number;
    profile: boolean;
  }): Promise<Record<string, unknown>>;
}

async function chosenBackend(page: Page): Promise<string> {
  const badge = page.getByTestId('backend');
  await badge.and(page.locator('[data-backend]:not([data-backend=""])')).waitFor({
    timeout: 120_000,
  });
  return (await badge.getAttribute('data-backend')) ?? '';
}

type Timings = Partial<Record<string, number>>;

/** The page's milestones once its first grid is painted (src/ui/timings.ts). */
async function firstGrid(page: Page): Promise<Timings> {
  await page.waitForFunction(
    () =>
      (window as unknown as { __playground?: { timings?: Timings } }).__playground?.timings
        ?.firstGridPainted !== undefined,
    undefined,
    { timeout: 300_000, polling: 200 },
  );
  return page.evaluate(() => ({
    ...(window as unknown as { __playground: { timings: Timings } }).__playground.timings,
  }));
}

async function benchRows(
  page: Page,
  backend: string,
  extra: Record<string, unknown>,
): Promise<void> {
  for (const preset of list(values.preset)) {
    process.stderr.write(
      `bench:browser: ${backend} ${JSON.stringify(extra.threads ?? '')} ${preset} …\n`,
    );
    const row = await page.evaluate(
      ({ preset, s }) => {
        const w = window as unknown as { __playground: { worker(): BenchWorker } };
        return w.__playground.worker().benchTrainStep({ preset, ...s });
      },
      { preset, s: settings },
    );
    process.stdout.write(`${JSON.stringify({ ...row, ...extra, where: 'browser' })}\n`);
  }
}

// Thread CPU time (`tdur`) on every thread, and the page's User Timing marks.
const TRACE_CATEGORIES = ['toplevel', 'disabled-by-default-devtools.timeline', 'blink.user_timing'];

/** CPU ms per group of threads while the first grid sampled (threadCpu.ts), rounded. */
function gridCpuOf(trace: Buffer): Record<string, number | number[]> {
  const parsed = JSON.parse(trace.toString('utf8')) as { traceEvents: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(parsed) ? parsed : parsed.traceEvents;
  const cpu = threadCpu(events, 'playground:samplingStart', 'playground:samplingDone');
  return Object.fromEntries(
    Object.entries(cpu).map(([k, v]) => [
      k,
      Array.isArray(v) ? v.map((x) => Math.round(x)) : Math.round(v),
    ]),
  );
}

/** wasm at each thread count, a fresh page each, alternating the order round by round. */
async function benchThreads(browser: Browser, base: string): Promise<number> {
  let failed = 0;
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? threadCounts : [...threadCounts].reverse();
    for (const threads of order) {
      const page = await browser.newPage();
      let tracing = false;
      try {
        if (values.trace) {
          await browser.startTracing(page, { categories: TRACE_CATEGORIES });
          tracing = true;
        }
        await page.goto(`${base}?backend=wasm&threads=${threads}#view=sampling`);
        if ((await chosenBackend(page)) !== 'wasm') {
          process.stderr.write('bench:browser: wasm is unavailable here\n');
          failed++;
          continue;
        }
        const timings = await firstGrid(page);
        const gridMs =
          timings.samplingDone !== undefined && timings.samplingStart !== undefined
            ? timings.samplingDone - timings.samplingStart
            : null;
        const gridCpu = tracing ? gridCpuOf(await browser.stopTracing()) : undefined;
        tracing = false;
        const isolated = await page.evaluate(() => window.crossOriginIsolated);
        const samplingWorkers = Number(
          await page.getByTestId('backend').getAttribute('data-peers'),
        );
        await benchRows(page, 'wasm', {
          threadsAsked: threads,
          samplingWorkers,
          crossOriginIsolated: isolated,
          firstGrid: timings,
          gridMs,
          ...(gridCpu ? { gridCpu } : {}),
          round: r,
        });
      } finally {
        if (tracing) await browser.stopTracing();
        await page.close();
      }
    }
  }
  return failed;
}

async function main(): Promise<void> {
  const port = 4199;
  const server = values.url ? null : await startPreview(port);
  const base = values.url ?? `http://127.0.0.1:${port}/`;
  const browser = await launchChromium();
  let failed = 0;
  try {
    if (threadCounts.length > 0) failed += await benchThreads(browser, base);
    for (const backend of list(values.backend)) {
      if (threadCounts.length > 0 && backend === 'wasm') continue; // measured per thread count
      const page = await browser.newPage();
      try {
        await page.goto(`${base}?backend=${encodeURIComponent(backend)}#view=schedules`);
        const got = await chosenBackend(page);
        if (got !== backend) {
          process.stderr.write(`bench:browser: ${backend} is unavailable here (got ${got})\n`);
          failed++;
          continue;
        }
        await benchRows(page, backend, {});
      } finally {
        await page.close();
      }
    }
  } finally {
    await browser.close();
    server?.kill();
  }
  if (failed === list(values.backend).length) process.exitCode = 1;
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:browser: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
