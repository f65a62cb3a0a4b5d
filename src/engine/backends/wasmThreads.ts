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
  /**
   * Why this worker runs one thread although the page could give it more: the other core goes to
   * a sampling worker instead (the badge's details); absent otherwise.
   */
  layoutNote?: string;
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
 * Two threads in all are best spent as this worker on one thread computing its share beside one
 * sampling worker: a pool of two here beside two sampling workers starts three WebAssembly
 * instances whose code V8 compiles and optimises during the first grid, on the same two cores,
 * and leaves this worker idle while it samples. Measured on a 2-core machine (README, issue 12),
 * six page loads each, alternating: the first grid's sampling 2.92 s against 3.36 s, painted
 * 4.2 s against 4.6 s after load.
 */
export const TWO_THREADS_NOTE =
  'two cores: this worker computes its share of each batch beside one sampling worker, which is faster than a pool of two threads beside two sampling workers';

/**
 * The plan for `wanted` threads in all (e.g. a bench's 1 or 2), else every core the browser
 * reports, at most MAX_WASM_THREADS: a pthread pool of that many from three on, one thread up to
 * two (TWO_THREADS_NOTE); one where threads are impossible, with the reason.
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
  if (threads === 2) return { threads: 1, layoutNote: TWO_THREADS_NOTE };
  return { threads };
}

/**
 * Applies a plan before the wasm backend initialises: the threaded SIMD binary with a pool of
 * `threads`, or the single-threaded SIMD binary for one.
 */
export function applyWasmThreads(plan: WasmThreadPlan): void {
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', plan.threads > 1);
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
