// The browser bench: the same JSON rows as `npm run bench`, measured inside the app's own Web
// Worker in headless Chromium (WebGPU on whatever adapter the browser has; SwiftShader here).
//   npm run build && npm run -s bench:browser -- [--backend wasm,webgpu] [--preset mnist/tiny]
//                                               [--batch 16] [--steps 3] [--warmup 1] [--url URL]
// Without --url it serves dist/ with `vite preview` on 127.0.0.1:4199 for the run. Each backend
// gets a fresh page opened on the Schedules view (which starts no model work of its own), forced
// with ?backend=; the worker's benchTrainStep times a fresh U-Net (src/engine/bench/trainStep.ts).
// One JSON object per backend and preset on stdout; progress and failures on stderr.
import { spawn, type ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import { chromium, type Page } from '@playwright/test';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm,webgpu' },
    preset: { type: 'string', default: 'mnist/tiny' },
    batch: { type: 'string', default: '16' },
    steps: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '1' },
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
};

interface BenchWorker {
  benchTrainStep(req: {
    preset: string;
    batch: number;
    steps: number;
    warmup: number;
  }): Promise<Record<string, unknown>>;
}

async function startPreview(port: number): Promise<ChildProcess> {
  const server = spawn(
    'npx',
    ['vite', 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/`)).ok) return server;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  server.kill();
  throw new Error('vite preview did not start: run `npm run build` first');
}

async function chosenBackend(page: Page): Promise<string> {
  const badge = page.getByTestId('backend');
  await badge.and(page.locator('[data-backend]:not([data-backend=""])')).waitFor({
    timeout: 120_000,
  });
  return (await badge.getAttribute('data-backend')) ?? '';
}

async function main(): Promise<void> {
  const port = 4199;
  const server = values.url ? null : await startPreview(port);
  const base = values.url ?? `http://127.0.0.1:${port}/`;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--enable-unsafe-webgpu', '--no-sandbox', '--no-first-run', '--disable-sync'],
  });
  let failed = 0;
  try {
    for (const backend of list(values.backend)) {
      const page = await browser.newPage();
      try {
        await page.goto(`${base}?backend=${encodeURIComponent(backend)}#view=schedules`);
        const got = await chosenBackend(page);
        if (got !== backend) {
          process.stderr.write(`bench:browser: ${backend} is unavailable here (got ${got})\n`);
          failed++;
          continue;
        }
        for (const preset of list(values.preset)) {
          process.stderr.write(`bench:browser: ${backend} ${preset} …\n`);
          const row = await page.evaluate(
            ({ preset, s }) => {
              const w = window as unknown as { __playground: { worker(): BenchWorker } };
              return w.__playground.worker().benchTrainStep({ preset, ...s });
            },
            { preset, s: settings },
          );
          process.stdout.write(`${JSON.stringify({ ...row, where: 'browser' })}\n`);
        }
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
