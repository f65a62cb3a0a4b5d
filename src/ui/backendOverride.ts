// `?backend=wasm` (etc.) forces a backend. The URL is untrusted: unknown values are ignored.
import type { BackendName } from '../worker/api';

const NAMES: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

export function readBackendOverride(search: string): BackendName | undefined {
  const value = new URLSearchParams(search).get('backend');
  return NAMES.find((n) => n === value);
}

/** The page's URL with `?backend=` set to `name`, or removed for undefined (choose by measurement). */
export function withBackendOverride(href: string, name: BackendName | undefined): string {
  const url = new URL(href);
  if (name === undefined) url.searchParams.delete('backend');
  else url.searchParams.set('backend', name);
  return url.href;
}
