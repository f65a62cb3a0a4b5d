// Calling tfjs-backend-wasm kernels from inside another wasm kernel (see kernelCalls.ts), plus
// raw wasm heap memory. An intermediate not released leaks wasm heap memory (and, for conv
// filters, the XNNPACK operator cached under that filter's id).
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { KernelCalls } from './kernelCalls';

export type { BackendWasm };

/** Runs wasm kernels and owns their outputs until dispose(), except those passed to keep(). */
export class WasmCalls extends KernelCalls<BackendWasm> {
  constructor(backend: BackendWasm) {
    super('wasm', backend);
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
