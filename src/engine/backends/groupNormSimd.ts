// The SIMD GroupNorm (+ SiLU) forward (assembly/groupNorm.ts, compiled into groupNormWasm.ts),
// instantiated on a tfjs-backend-wasm backend's own memory so that it reads and writes tensors in
// place (issue 12: GroupNorm was ~20% of a sampling pass in the browser; this halves it). One
// small instance per memory, compiled synchronously (under 4 KB, which the main thread allows
// too). Where it cannot run — no wasm SIMD, or a tfjs build whose memory it cannot find — the
// kernel keeps its JavaScript statistics and wasm element-wise kernels.
import type { BackendWasm } from './wasmCalls';
import { GROUP_NORM_WASM, GROUP_NORM_WASM_SHARED } from './groupNormWasm';

/** assembly/groupNorm.ts `forward`: pointers are byte offsets into the backend's memory. */
export type GroupNormSimdForward = (
  x: number,
  y: number,
  s: number,
  gamma: number,
  beta: number,
  stats: number,
  acc: number,
  coef: number,
  n: number,
  hw: number,
  c: number,
  groups: number,
  eps: number,
  silu: number,
) => void;

const instances = new WeakMap<WebAssembly.Memory, GroupNormSimdForward | null>();
let enabled = true;

/**
 * Turns the SIMD kernel off (false) or on again, for tests and benches that compare it with the
 * JavaScript path; returns the previous setting.
 */
export function setGroupNormSimd(on: boolean): boolean {
  const was = enabled;
  enabled = on;
  return was;
}

/**
 * The backend's WebAssembly.Memory: tfjs-backend-wasm 4.22's Emscripten module keeps it as
 * `wasmMemory` (threaded binary, which creates it) or as the instance's `asm.memory` export.
 */
function memoryOf(backend: BackendWasm): WebAssembly.Memory | null {
  const module = backend.wasm as unknown as { wasmMemory?: unknown; asm?: { memory?: unknown } };
  const memory = module.wasmMemory ?? module.asm?.memory;
  return memory instanceof WebAssembly.Memory ? memory : null;
}

function decode(base64: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

function instantiate(memory: WebAssembly.Memory): GroupNormSimdForward | null {
  const shared =
    typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  const bytes = decode(shared ? GROUP_NORM_WASM_SHARED : GROUP_NORM_WASM);
  // validate() is false where the engine lacks SIMD (or, for the shared one, threads).
  if (!WebAssembly.validate(bytes)) return null;
  try {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {
      env: { memory },
    });
    return instance.exports.forward as GroupNormSimdForward;
  } catch {
    return null;
  }
}

/** The SIMD forward for this backend, or null where it cannot run (or is turned off). */
export function groupNormSimd(backend: BackendWasm): GroupNormSimdForward | null {
  if (!enabled) return null;
  const memory = memoryOf(backend);
  if (memory === null) return null;
  let forward = instances.get(memory);
  if (forward === undefined) {
    forward = instantiate(memory);
    instances.set(memory, forward);
  }
  return forward;
}
