// Calling tfjs-backend-wasm kernels from inside another wasm kernel.
// A kernel that composes others (our conv gradients) must not go through tf.* ops: those would
// record on the gradient tape and create engine tensors. Instead we call the registered wasm
// kernelFuncs directly; their outputs are bare TensorInfos owned by the backend, so every
// intermediate must be released with backend.disposeData or it leaks wasm heap memory (and, for
// conv filters, the XNNPACK operator cached under that filter's id).
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export type { BackendWasm };

/** Runs wasm kernels and owns their outputs until dispose(), except those passed to keep(). */
export class WasmCalls {
  private readonly temps: tf.TensorInfo[] = [];

  constructor(readonly backend: BackendWasm) {}

  run(
    kernelName: string,
    inputs: tf.NamedTensorInfoMap,
    attrs: tf.NamedAttrMap = {},
  ): tf.TensorInfo {
    const kernel = tf.getKernel(kernelName, 'wasm');
    if (kernel === undefined) throw new Error(`wasm kernel ${kernelName} is not registered`);
    return this.track(kernel.kernelFunc({ inputs, backend: this.backend, attrs }));
  }

  /** Calls a kernelFunc that is not (or no longer) in the registry, e.g. a replaced original. */
  runFunc(kernelFunc: tf.KernelFunc, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap) {
    return this.track(kernelFunc({ inputs, backend: this.backend, attrs }));
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

  /** Hands a result to the caller (the engine): it is no longer disposed with the temps. */
  keep(info: tf.TensorInfo): tf.TensorInfo {
    const i = this.temps.indexOf(info);
    if (i >= 0) this.temps.splice(i, 1);
    return info;
  }

  dispose(): void {
    // disposeData decrements the refCount, so aliases (Reshape outputs share their input's
    // dataId and incRef it) are released correctly too.
    for (const t of this.temps) this.backend.disposeData(t.dataId);
    this.temps.length = 0;
  }

  private track(out: tf.TensorInfo | tf.TensorInfo[]): tf.TensorInfo {
    if (Array.isArray(out)) {
      this.temps.push(...out);
      throw new Error('WasmCalls: multi-output kernels are not supported');
    }
    this.temps.push(out);
    return out;
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
