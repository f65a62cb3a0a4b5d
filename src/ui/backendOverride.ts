// `?backend=wasm` (etc.) forces a backend. The URL is untrusted: unknown values are ignored.
import type { BackendName } from '../worker/api';

const NAMES: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

export function readBackendOverride(search: string): BackendName | undefined {
  const value = new URLSearchParams(search).get('backend');
  return NAMES.find((n) => n === value);
}
