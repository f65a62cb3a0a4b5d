// The page's init options, carried in the worker's name, so the worker starts its backend as
// soon as its own script has run. A message posted to a module worker before it has loaded
// waits in the page until the page's main thread is free to pass it on: here 100-480 ms, while
// the page's own script compiles and renders (issue 12: the first grid after page load). The
// init message still follows and gets the same answer (worker.ts keys init by its options).
import type { InitOptions } from './api';

const PREFIX = 'diffusion-compute';
const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'];

/** The worker's name: readable in the browser's task manager, the options after a space. */
export function workerName(opts?: InitOptions): string {
  return opts ? `${PREFIX} ${JSON.stringify(opts)}` : PREFIX;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The options in a name made by workerName, or null when it holds none (or anything odd). */
export function initFromName(name: string): InitOptions | null {
  if (!name.startsWith(`${PREFIX} `)) return null;
  let v: unknown;
  try {
    v = JSON.parse(name.slice(PREFIX.length + 1));
  } catch {
    return null;
  }
  if (!isRecord(v) || typeof v.dataBaseUrl !== 'string') return null;
  if (v.preferred !== undefined && !BACKENDS.includes(v.preferred as string)) return null;
  if (v.wasmThreads !== undefined && !Number.isInteger(v.wasmThreads)) return null;
  if (v.modelBaseUrl !== undefined && typeof v.modelBaseUrl !== 'string') return null;
  const r = v.remembered;
  if (
    r !== undefined &&
    !(
      isRecord(r) &&
      BACKENDS.includes(r.backend as string) &&
      typeof r.deviceKey === 'string' &&
      Array.isArray(r.measurements)
    )
  ) {
    return null;
  }
  return v as unknown as InitOptions;
}
