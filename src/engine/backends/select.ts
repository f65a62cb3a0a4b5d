// Picks the fastest tfjs backend that works here: webgpu -> webgl -> wasm -> cpu (or the preferred
// one first), and says why the faster ones were skipped. Works in a module worker and in Node.
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerCpuKernelFixes } from './cpuKernels';
import { registerWasmTrainingKernels } from './wasmKernels';
import { registerWebGpuTrainingKernels } from './webgpuKernels';
import { applyWasmThreads, planWasmThreads, wasmThreadsInUse, withThreadCap } from './wasmThreads';

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

export interface BackendChoice {
  backend: BackendName;
  /** Why backends tried before the chosen one failed; absent when the first one tried worked. */
  fallbackReason?: string;
  /** wasm only: the threads XNNPACK runs with (tfjs's getThreadsCount after initialisation). */
  wasmThreads?: number;
  /** wasm only: why it runs on one thread, when it does. */
  wasmThreadsNote?: string;
  /** wasm only: why one thread although more were possible (the cores go to sampling workers). */
  wasmLayoutNote?: string;
}

export interface InitBackendOptions {
  /**
   * Where the .wasm binaries are: a folder prefix ending in '/' (Node: the package's dist folder)
   * or a map from binary name to URL (browser: Vite `?url` imports, see src/worker/wasmPaths.ts).
   */
  wasmPaths?: string | Record<string, string>;
  /**
   * WebAssembly threads to ask for (a bench's 1 against N); default every core the browser
   * reports. Only a cross-origin isolated page can have more than one (wasmThreads.ts).
   */
  wasmThreads?: number;
  /**
   * The single-threaded wasm binary even where threads are possible: for a second worker that
   * gives a core to sampling (splitEps.ts) beside the threaded one, without 8 idle pthreads.
   */
  wasmSingleThreaded?: boolean;
}

const CHAIN: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

let wasmPathsSet = false;

/** Resolves to null when the backend can be tried, else to why it cannot. */
type Precheck = (opts: InitBackendOptions) => Promise<string | null>;

const prechecks: Record<BackendName, Precheck> = {
  async webgpu() {
    const gpu = typeof navigator === 'undefined' ? undefined : navigator.gpu;
    if (gpu === undefined) return 'navigator.gpu is absent';
    if ((await gpu.requestAdapter()) === null) return 'no WebGPU adapter';
    // Loaded only where WebGPU exists; it registers the backend only when navigator.gpu is there.
    await import('@tensorflow/tfjs-backend-webgpu');
    // Its Conv2DBackpropFilter loops serially per filter element: train with ours.
    registerWebGpuTrainingKernels();
    return null;
  },
  async webgl() {
    // In a worker only OffscreenCanvas can give a context (FINDINGS: "Cannot create a canvas in
    // this context" in headless Chromium); in Node there is neither.
    if (typeof OffscreenCanvas === 'undefined' && typeof document === 'undefined') {
      return 'no canvas to create a WebGL context on';
    }
    // Loaded only when tried (the worker's bundle leaves it out: src/worker/tfjsCore.ts); it
    // registers the backend on import. In Node the whole @tensorflow/tfjs has it already.
    await import('@tensorflow/tfjs-backend-webgl');
    return null;
  },
  async wasm(opts) {
    // Threads where the page is cross-origin isolated (the build keeps the threaded binary's
    // pthread source intact: scripts/wasmThreadSource.mjs), else the single-threaded binary.
    // Must be set before the backend initialises.
    applyWasmThreads(
      opts.wasmSingleThreaded === true ? { threads: 1 } : planWasmThreads(opts.wasmThreads),
    );
    // tfjs refuses new paths after a failed start; the first call's paths still hold then.
    if (opts.wasmPaths !== undefined && !wasmPathsSet) {
      setWasmPaths(opts.wasmPaths);
      wasmPathsSet = true;
    }
    // Without these a conv cannot be trained on wasm at all (no Conv2DBackpropFilter).
    registerWasmTrainingKernels();
    return null;
  },
  async cpu() {
    return null;
  },
};

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** tf.setBackend reports failures only through console.warn: keep the first line as the reason. */
async function setBackendCapturingWarnings(name: BackendName): Promise<string | null> {
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => warnings.push(args.map(String).join(' '));
  try {
    if (await tf.setBackend(name)) return null;
  } catch (e) {
    return message(e);
  } finally {
    console.warn = warn;
  }
  const detail = warnings.find((w) => !w.startsWith('Initialization of backend'));
  return `initialisation failed${detail ? `: ${detail.split('\n')[0]}` : ''}`;
}

async function tryBackend(name: BackendName, opts: InitBackendOptions): Promise<string | null> {
  try {
    const skip = await prechecks[name](opts);
    if (skip !== null) return skip;
  } catch (e) {
    return message(e);
  }
  const threads =
    name === 'wasm' && opts.wasmSingleThreaded !== true
      ? planWasmThreads(opts.wasmThreads).threads
      : 1;
  const failed = await withThreadCap(threads, () => setBackendCapturingWarnings(name));
  if (failed === null || name !== 'wasm' || !tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT')) {
    return failed;
  }
  // The threaded binary did not start (e.g. a policy forbids its blob: workers): one thread.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  threadedStartFailure = failed;
  return setBackendCapturingWarnings(name);
}

/** Why the threaded wasm binary failed to start, when it did (then wasm runs one thread). */
let threadedStartFailure: string | null = null;

/** The thread facts of a wasm choice, for the badge and the bench. */
function wasmThreadFacts(
  opts: InitBackendOptions,
): Pick<BackendChoice, 'wasmThreads' | 'wasmThreadsNote' | 'wasmLayoutNote'> {
  const threads = wasmThreadsInUse();
  const plan = planWasmThreads(opts.wasmThreads);
  const note =
    threadedStartFailure !== null
      ? `the threaded WebAssembly build failed to start (${threadedStartFailure}), so it runs on one thread`
      : plan.singleThreadReason;
  if (threads > 1) return { wasmThreads: threads };
  if (note !== undefined) return { wasmThreads: threads, wasmThreadsNote: note };
  return plan.layoutNote !== undefined && opts.wasmSingleThreaded !== true
    ? { wasmThreads: threads, wasmLayoutNote: plan.layoutNote }
    : { wasmThreads: threads };
}

/**
 * Initialises tfjs on the preferred backend, else on the first that works in the chain
 * webgpu -> webgl -> wasm -> cpu. Throws only if even cpu fails.
 */
export function initBackend(
  preferred?: BackendName,
  opts: InitBackendOptions = {},
): Promise<BackendChoice> {
  // One at a time: tfjs abandons a pending backend initialisation when another one starts
  // (setBackend then resolves false), so overlapping calls — React's StrictMode runs effects
  // twice in development — would each see the other's backend fail.
  const run = queue.then(() => initBackendNow(preferred, opts));
  queue = run.catch(() => undefined);
  return run;
}

let queue: Promise<unknown> = Promise.resolve();

async function initBackendNow(
  preferred: BackendName | undefined,
  opts: InitBackendOptions,
): Promise<BackendChoice> {
  // The cpu backend is the last fallback and our tests' reference: keep its gradients right.
  registerCpuKernelFixes();
  const order = preferred ? [preferred, ...CHAIN.filter((b) => b !== preferred)] : [...CHAIN];
  const reasons: string[] = [];
  for (const name of order) {
    const reason = await tryBackend(name, opts);
    if (reason === null) {
      await tf.ready();
      const threads = name === 'wasm' ? wasmThreadFacts(opts) : {};
      return reasons.length
        ? { backend: name, fallbackReason: reasons.join('; '), ...threads }
        : { backend: name, ...threads };
    }
    reasons.push(`${name}: ${reason}`);
  }
  throw new Error(`no tfjs backend could be initialised (${reasons.join('; ')})`);
}
