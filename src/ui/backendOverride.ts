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
 * batch, engine/sampling/splitEps.ts): none unless the compute worker runs wasm on more than one
 * core, nor when `?threads=1` asks for one core (the 1 against N bench) or `?peer=0` turns them
 * off. Beside a threaded compute worker, which then computes no part itself, one per core; beside
 * a single-threaded one, one per other core.
 */
export function samplingPeerCount(
  info: { backend: BackendName; wasmThreads?: number },
  search: string,
  cores: number | undefined,
): number {
  const c = Math.floor(cores ?? 1);
  const params = new URLSearchParams(search);
  if (params.get('peer') === '0' || readThreadsOverride(search) === 1) return 0;
  if (info.backend !== 'wasm' || !(c >= 2)) return 0;
  const n = (info.wasmThreads ?? 1) > 1 ? c : c - 1;
  return Math.min(MAX_SAMPLING_PEERS, n);
}
