// How many WebAssembly threads the wasm backend runs with here, and why not more (issue 12, item 2).
// XNNPACK (the wasm backend's conv, matmul and pooling library) splits each operator over a
// pthread pool; pthreads are Web Workers sharing one SharedArrayBuffer heap, which a browser only
// grants a cross-origin isolated page (COOP `same-origin` + COEP `require-corp`). tfjs's own
// default is min(4, cores / 2): one thread on a 2-core laptop. We ask for every core.
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';

/**
 * tfjs-backend-wasm 4.22's threaded build starts 8 pthread workers with the module; a pool
 * larger than that would spawn more while the creating thread waits for them (Emscripten's
 * PTHREAD_POOL_SIZE), so 8 is the ceiling.
 */
export const MAX_WASM_THREADS = 8;

export interface WasmThreadPlan {
  /** Threads asked of XNNPACK (1: the single-threaded binary). */
  threads: number;
  /** Why there is only one thread, in words for the badge; absent when threads are on. */
  singleThreadReason?: string;
}

interface ThreadContext {
  crossOriginIsolated?: boolean;
  hardwareConcurrency?: number;
  isNode: boolean;
}

function currentContext(): ThreadContext {
  const g = globalThis as { crossOriginIsolated?: boolean; process?: { versions?: object } };
  return {
    crossOriginIsolated: g.crossOriginIsolated,
    hardwareConcurrency:
      typeof navigator === 'undefined' ? undefined : navigator.hardwareConcurrency,
    isNode: typeof g.process?.versions === 'object' && 'node' in (g.process.versions ?? {}),
  };
}

/**
 * The thread count to use: `wanted` (e.g. a bench's 1 or 2), else every core the browser reports,
 * at most MAX_WASM_THREADS; one where threads are impossible, with the reason.
 */
export function planWasmThreads(
  wanted?: number,
  ctx: ThreadContext = currentContext(),
): WasmThreadPlan {
  if (ctx.isNode) {
    return { threads: 1, singleThreadReason: 'tfjs-backend-wasm has no threads in Node' };
  }
  if (ctx.crossOriginIsolated !== true) {
    return {
      threads: 1,
      singleThreadReason:
        'the page is not cross-origin isolated (its server sends no COOP/COEP headers), so WebAssembly runs on one thread',
    };
  }
  const cores = Math.max(1, Math.floor(ctx.hardwareConcurrency ?? 1));
  const threads = Math.min(MAX_WASM_THREADS, Math.max(1, Math.floor(wanted ?? cores)));
  return { threads };
}

/**
 * Applies a plan before the wasm backend initialises: the threaded SIMD binary with `threads`
 * threads, or the single-threaded binary. A pool of one still uses the threaded binary when it
 * was asked for explicitly (a 1-vs-N comparison then measures threads, not binaries).
 */
export function applyWasmThreads(plan: WasmThreadPlan, explicit: boolean): void {
  const threaded = plan.singleThreadReason === undefined && (plan.threads > 1 || explicit);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', threaded);
  setThreadsCount(plan.threads);
}

/**
 * Runs `start` (the wasm backend's start-up) so that XNNPACK may really get `threads` threads.
 * tfjs-backend-wasm 4.22's C++ (src/cc/backend.cc) caps the pool at
 * emscripten_num_logical_cores() / 2 = navigator.hardwareConcurrency / 2, assuming two hardware
 * threads per core, read once as the module starts: on a 2-core machine every count, setThreadsCount
 * included, gave a pool of one (that is why threads "did not help" here before). While the module
 * starts, the worker's navigator reports twice the threads wanted, so the cap lets them through.
 */
export async function withThreadCap<T>(threads: number, start: () => Promise<T>): Promise<T> {
  const nav = typeof navigator === 'undefined' ? undefined : navigator;
  if (nav === undefined || threads <= 1) return start();
  const own = Object.getOwnPropertyDescriptor(nav, 'hardwareConcurrency');
  Object.defineProperty(nav, 'hardwareConcurrency', { value: 2 * threads, configurable: true });
  try {
    return await start();
  } finally {
    if (own) Object.defineProperty(nav, 'hardwareConcurrency', own);
    else delete (nav as { hardwareConcurrency?: number }).hardwareConcurrency;
  }
}

/** Threads XNNPACK actually runs with (tfjs reads it back from the module); 1 if unknown. */
export function wasmThreadsInUse(): number {
  try {
    return getThreadsCount();
  } catch {
    return 1; // backend not initialised
  }
}
