// Calling tfjs-backend-wasm kernels from inside another wasm kernel (see kernelCalls.ts), plus
// raw wasm heap memory. An intermediate not released leaks wasm heap memory (and, for conv
// filters, the XNNPACK operator cached under that filter's id).
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { KernelCalls } from './kernelCalls';

export type { BackendWasm };

/** Runs wasm kernels and owns their outputs until dispose(), except those passed to keep(). */
export class WasmCalls extends KernelCalls<BackendWasm> {
  private readonly windows: tf.TensorInfo[] = [];

  constructor(backend: BackendWasm) {
    super('wasm', backend);
  }

  /**
   * A read-only tensor over `shape` elements of `info`'s heap memory from element `offset` on,
   * without a copy: a kernel given it reads that stretch as a fresh tensor (XNNPACK's GEMM has
   * no row offset of its own). Released by dispose() without freeing the memory, which stays
   * owned by `info`; keep `info` alive while the window is in use, and never keep() a window.
   */
  window(info: tf.TensorInfo, offset: number, shape: number[]): tf.TensorInfo {
    const size = tf.util.sizeFromShape(shape);
    if (
      info.dtype !== 'float32' ||
      offset < 0 ||
      offset + size > tf.util.sizeFromShape(info.shape)
    ) {
      throw new Error(`window [${offset}, +${size}) outside a tensor of shape [${info.shape}]`);
    }
    const base = this.offset(info);
    const w = this.backend.makeOutput(shape, 'float32', base + offset * 4);
    this.windows.push(w);
    return w;
  }

  override dispose(): void {
    super.dispose();
    for (const w of this.windows) {
      // makeOutput registered the window with the module; unregistering runs its disposal
      // callbacks (e.g. an XNNPACK operator cached under its id) but, unlike disposeData,
      // does not free memory the window does not own.
      const data = this.backend.dataIdMap.get(w.dataId);
      if (data === undefined) continue;
      this.backend.wasm.tfjs.disposeData(data.id);
      this.backend.dataIdMap.delete(w.dataId);
    }
    this.windows.length = 0;
  }

  /** Byte offset of a tensor's data in the wasm heap (for kernels that take pointers). */
  offset(info: tf.TensorInfo): number {
    return this.backend.getMemoryOffset(info.dataId);
  }

  /** Fresh uninitialised wasm heap memory (read its view with f32() after all allocations). */
  alloc(shape: number[], dtype: tf.DataType = 'float32'): tf.TensorInfo {
    return this.track(this.backend.makeOutput(shape, dtype));
  }

  /**
   * A typed-array view of a tensor's wasm heap memory. Allocating may grow the heap, which
   * detaches earlier views: take views only after the last alloc()/run() that precedes their use.
   */
  view(info: tf.TensorInfo): tf.TypedArray {
    return this.backend.typedArrayFromHeap(info);
  }
}

/** Runs fn with a fresh WasmCalls; intermediates are freed even when fn throws. */
export function withWasmCalls(
  backend: unknown,
  fn: (calls: WasmCalls) => tf.TensorInfo,
): tf.TensorInfo {
  const calls = new WasmCalls(backend as BackendWasm);
  try {
    return calls.keep(fn(calls));
  } finally {
    calls.dispose();
  }
}
