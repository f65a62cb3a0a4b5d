// The page remembers which backend was fastest on this device, so later loads skip the probe
// (the worker has no localStorage). What is read back is untrusted: anything odd is ignored.
import type { BackendInfo, BackendName, RememberedDecision } from '../worker/api';

export const BACKEND_MEMORY_KEY = 'diffusion-playground.backend';
const NAMES: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

function isName(v: unknown): v is BackendName {
  return NAMES.includes(v as BackendName);
}

/** Parses a stored decision; null when absent or malformed. */
export function parseRemembered(raw: string | null): RememberedDecision | null {
  if (raw === null || raw.length > 10_000) return null;
  try {
    const v = JSON.parse(raw) as Partial<RememberedDecision> | null;
    if (v === null || typeof v !== 'object') return null;
    if (!isName(v.backend) || typeof v.deviceKey !== 'string') return null;
    const measurements = Array.isArray(v.measurements)
      ? v.measurements.filter(
          (m): m is { backend: BackendName; ms: number } =>
            m !== null &&
            typeof m === 'object' &&
            isName((m as { backend?: unknown }).backend) &&
            Number.isFinite((m as { ms?: unknown }).ms) &&
            (m as { ms: number }).ms >= 0,
        )
      : [];
    return { backend: v.backend, deviceKey: v.deviceKey.slice(0, 1000), measurements };
  } catch {
    return null;
  }
}

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null; // e.g. storage disabled
  }
}

export function readRemembered(): RememberedDecision | undefined {
  return parseRemembered(storage()?.getItem(BACKEND_MEMORY_KEY) ?? null) ?? undefined;
}

/** Keeps a measured decision; a forced one is not a measurement and is not kept. */
export function remember(info: BackendInfo): void {
  if (info.how !== 'measured' && info.how !== 'only') return;
  const value: RememberedDecision = {
    backend: info.backend,
    deviceKey: info.deviceKey,
    measurements: info.measurements,
  };
  try {
    storage()?.setItem(BACKEND_MEMORY_KEY, JSON.stringify(value));
  } catch {
    // Full or disabled storage: the next load measures again.
  }
}

export function forget(): void {
  try {
    storage()?.removeItem(BACKEND_MEMORY_KEY);
  } catch {
    // nothing to forget
  }
}
