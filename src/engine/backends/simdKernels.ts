// The wasm SIMD kernels written here (assembly/: GroupNorm and its gradient, small batched matrix
// products, and the 3×3 convolution and its weight gradient by Winograd's F(2×2, 3×3), compiled
// into simdWasm.ts), instantiated on a tfjs-backend-wasm backend's own memory so that they read
// and write tensors in place (issue 12: GroupNorm was ~20% of a sampling pass in the browser,
// attention's batched products ran at 3-9 GFLOP/s, the convolutions at XNNPACK's ceiling). One
// small instance (8 KB) per memory, compiled synchronously, in the workers only. Where it cannot
// run — no wasm SIMD, or a tfjs build whose memory it cannot find — the kernels that use it keep
// their JavaScript and XNNPACK paths.
import type { BackendWasm } from './wasmCalls';
import { SIMD_WASM, SIMD_WASM_SHARED } from './simdWasm';
import { wasmThreadsInUse } from './wasmThreads';

/** assembly/groupNorm.ts: pointers are byte offsets into the backend's memory. */
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

/** assembly/groupNorm.ts: the forward's gradient; pointers are byte offsets. */
export type GroupNormSimdBackward = (
  x: number,
  y: number,
  s: number,
  dy: number,
  dx: number,
  gamma: number,
  stats: number,
  dgamma: number,
  dbeta: number,
  dg: number,
  db: number,
  acc: number,
  coef: number,
  n: number,
  hw: number,
  c: number,
  groups: number,
  silu: number,
) => void;

/** assembly/matMul.ts: c[e] = op(a[e]) · b[e]; byte offsets. */
export type BatchMatMulSimd = (
  a: number,
  b: number,
  c: number,
  batch: number,
  m: number,
  k: number,
  n: number,
  aStride: number,
  bStride: number,
  transposeA: number,
) => void;

/** assembly/winograd.ts, F(2×2, 3×3) in four steps; byte offsets. */
export interface WinogradSimd {
  filter(w: number, u: number, cin: number, cout: number): void;
  input(
    x: number,
    v: number,
    zero: number,
    h: number,
    wd: number,
    cin: number,
    first: number,
    count: number,
    tiles: number,
  ): void;
  products(u: number, v: number, m: number, tiles: number, cin: number, cout: number): void;
  /** The weight gradient's transform of dy's 2×2 blocks (as input's of x's tiles). */
  gradOutput(
    dy: number,
    d: number,
    zero: number,
    h: number,
    wd: number,
    cout: number,
    first: number,
    count: number,
    tiles: number,
  ): void;
  /** p[ξ] += v[ξ]ᵀ · d[ξ] over a chunk's tiles. */
  gradProducts(v: number, d: number, p: number, tiles: number, cin: number, cout: number): void;
  /** dw from the summed p. */
  gradFilter(p: number, dw: number, cin: number, cout: number): void;
  output(
    m: number,
    bias: number,
    out: number,
    h: number,
    wd: number,
    cout: number,
    first: number,
    count: number,
    tiles: number,
  ): void;
}

export interface SimdKernels {
  groupNormForward: GroupNormSimdForward;
  groupNormBackward: GroupNormSimdBackward;
  batchMatMul: BatchMatMulSimd;
  winograd: WinogradSimd;
  /**
   * Whether XNNPACK has a pool of more than one thread here (the threaded binary, shared memory,
   * and threads > 1): it then spreads a convolution over the pool, which these single-threaded
   * kernels would give up. The threaded binary with a pool of one counts as one thread, like the
   * single-threaded binary.
   */
  threaded: boolean;
}

const instances = new WeakMap<WebAssembly.Memory, SimdKernels | null>();
let enabled = true;

/**
 * Turns the SIMD kernels off (false) or on again, for tests and benches that compare them with
 * the paths they replace; returns the previous setting.
 */
export function setSimdKernels(on: boolean): boolean {
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

function instantiate(memory: WebAssembly.Memory): SimdKernels | null {
  const shared =
    typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  const bytes = decode(shared ? SIMD_WASM_SHARED : SIMD_WASM);
  // validate() is false where the engine lacks SIMD (or, for the shared one, threads).
  if (!WebAssembly.validate(bytes)) return null;
  try {
    const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes), {
      env: { memory },
    });
    return {
      groupNormForward: exports.groupNormForward as GroupNormSimdForward,
      groupNormBackward: exports.groupNormBackward as GroupNormSimdBackward,
      batchMatMul: exports.batchMatMul as BatchMatMulSimd,
      winograd: {
        filter: exports.winogradFilter as WinogradSimd['filter'],
        input: exports.winogradInput as WinogradSimd['input'],
        products: exports.winogradProducts as WinogradSimd['products'],
        output: exports.winogradOutput as WinogradSimd['output'],
        gradOutput: exports.winogradGradOutput as WinogradSimd['gradOutput'],
        gradProducts: exports.winogradGradProducts as WinogradSimd['gradProducts'],
        gradFilter: exports.winogradGradFilter as WinogradSimd['gradFilter'],
      },
      threaded: shared && wasmThreadsInUse() > 1,
    };
  } catch {
    return null;
  }
}

/** The SIMD kernels for this backend, or null where they cannot run (or are turned off). */
export function simdKernels(backend: BackendWasm): SimdKernels | null {
  if (!enabled) return null;
  const memory = memoryOf(backend);
  if (memory === null) return null;
  let kernels = instances.get(memory);
  if (kernels === undefined) {
    kernels = instantiate(memory);
    instances.set(memory, kernels);
  }
  return kernels;
}
