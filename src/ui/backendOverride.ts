// `?backend=wasm` (etc.) forces a backend. The URL is untrusted: unknown values are ignored.
import type { BackendName } from '../worker/api';

const NAMES: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

export function readBackendOverride(search: string): BackendName | undefined {
  const value = new URLSearchParams(search).get('backend');
  return NAMES.find((n) => n === value);
}

/**
 * `?threads=N` (1 to 64): WebAssembly threads for the wasm backend, e.g. to compare 1 against N
 * (the browser bench does). Anything else is ignored: every core is used.
 */
export function readThreadsOverride(search: string): number | undefined {
  const value = new URLSearchParams(search).get('threads');
  if (value === null || !/^[1-9][0-9]?$/.test(value)) return undefined;
  const n = Number(value);
  return n <= 64 ? n : undefined;
}

/** The page's URL with `?backend=` set to `name`, or removed for undefined (choose by measurement). */
export function withBackendOverride(href: string, name: BackendName | undefined): string {
  const url = new URL(href);
  if (name === undefined) url.searchParams.delete('backend');
  else url.searchParams.set('backend', name);
  return url.href;
}

/** The most sampling peers a page starts (each holds a copy of the model and a wasm heap). */
export const MAX_SAMPLING_PEERS = 4;

/**
 * How many sampling peers to start (single-threaded workers that compute parts of each sampling
 * and training batch, engine/sampling/splitEps.ts) for the threads the page uses in all: every
 * core, or `?threads=N` (the 1 against N bench). Beside a threaded compute worker, which then
 * computes no part itself, one per thread; beside a single-threaded one (no COOP/COEP, or two
 * threads in all: wasmThreads.ts), one per other thread. None for one thread, on other backends,
 * or with `?peer=0`. At most MAX_SAMPLING_PEERS.
 */
export function samplingPeerCount(
  info: { backend: BackendName; wasmThreads?: number },
  search: string,
  cores: number | undefined,
): number {
  const params = new URLSearchParams(search);
  if (params.get('peer') === '0' || info.backend !== 'wasm') return 0;
  const threads = readThreadsOverride(search) ?? Math.floor(cores ?? 1);
  if (!(threads >= 2)) return 0;
  const n = (info.wasmThreads ?? 1) > 1 ? threads : threads - 1;
  return Math.min(MAX_SAMPLING_PEERS, n);
}
