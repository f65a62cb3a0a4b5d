// Build check: the page's main-thread JavaScript must not contain tfjs (all tensor work runs in
// the worker). Follows index.html's entry script and its static and dynamic imports (the views
// arrive as a dynamically imported chunk: src/main.tsx), and looks for tfjs
// kernel names, which survive minification as strings. Then checks that the threaded wasm
// backend's pthread source survived minification (scripts/wasmThreadSource.mjs).
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { checkThreadSource } from './wasmThreadSource.mjs';

const dist = process.argv[2] ?? 'dist';
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const entries = [...html.matchAll(/<script[^>]+src="\.?\/?([^"]+)"/g)].map((m) => m[1]);
const modulepreloads = [
  ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="\.?\/?([^"]+)"/g),
].map((m) => m[1]);
const seen = new Set();
const queue = [...entries, ...modulepreloads];
const TFJS_MARKERS = ['Conv2DBackpropFilter', 'FusedConv2D', 'tfjs-backend'];
let bad = [];
while (queue.length) {
  const file = queue.shift();
  if (seen.has(file)) continue;
  seen.add(file);
  const path = join(dist, file);
  if (!existsSync(path)) continue;
  const code = readFileSync(path, 'utf8');
  for (const marker of TFJS_MARKERS) if (code.includes(marker)) bad.push(`${file}: ${marker}`);
  // Static imports (`import ... from "./x.js"`, `import "./x.js"`) and dynamic ones
  // (`import("./x.js")`): both run on the main thread. A worker is started with new Worker(new
  // URL(...)), not imported, so its chunks are not followed.
  for (const m of code.matchAll(
    /(?:^|[;}\s])import\s*(?:[^'"();]*?from\s*)?["']\.\/([^"']+)["']/g,
  )) {
    queue.push(join(dirname(file), m[1]));
  }
  for (const m of code.matchAll(/import\(\s*["'`]\.\/([^"'`]+)["'`]\s*\)/g)) {
    queue.push(join(dirname(file), m[1]));
  }
}
if (entries.length === 0) {
  console.error('check-bundle: no entry script found in dist/index.html');
  process.exit(1);
}
if (bad.length) {
  console.error('check-bundle: tfjs code reached the main thread bundle:\n  ' + bad.join('\n  '));
  process.exit(1);
}
console.log(`check-bundle: main-thread bundle (${seen.size} files) is free of tfjs`);

// The worker chunk that ships tfjs-backend-wasm's threaded factory to its pthreads.
const assets = join(dist, 'assets');
const threaded = readdirSync(assets)
  .filter((f) => f.endsWith('.js'))
  .map((f) => ({ f, code: readFileSync(join(assets, f), 'utf8') }))
  .filter(({ code }) => code.includes('var WasmBackendModuleThreadedSimd = '));
if (threaded.length === 0) {
  console.error(
    'check-bundle: no chunk ships the threaded wasm factory (tfjs-backend-wasm moved?)',
  );
  process.exit(1);
}
const threadProblems = threaded.flatMap(({ f, code }) =>
  checkThreadSource(code).map((p) => `${f}: ${p}`),
);
if (threadProblems.length) {
  console.error(
    'check-bundle: the threaded wasm build would crash:\n  ' + threadProblems.join('\n  '),
  );
  process.exit(1);
}
console.log(
  `check-bundle: the threaded wasm pthread source kept its typeof _scriptDir guards (${threaded.map((t) => t.f).join(', ')})`,
);
