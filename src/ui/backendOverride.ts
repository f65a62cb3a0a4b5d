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
