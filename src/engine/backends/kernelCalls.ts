// Calling a backend's registered kernels from inside another kernel of the same backend.
// A kernel that composes others (our conv gradients) must not go through tf.* ops: those would
// record on the gradient tape and create engine tensors. Instead we call the registered
// kernelFuncs directly; their outputs are bare TensorInfos owned by the backend, so every
// intermediate must be released with backend.disposeData or it leaks backend memory.
import * as tf from '@tensorflow/tfjs';

/** Runs one backend's kernels and owns their outputs until dispose(), except those kept. */
export class KernelCalls<B extends tf.KernelBackend = tf.KernelBackend> {
  private readonly temps: tf.TensorInfo[] = [];

  constructor(
    readonly backendName: string,
    readonly backend: B,
  ) {}

  run(
    kernelName: string,
    inputs: tf.NamedTensorInfoMap,
    attrs: tf.NamedAttrMap = {},
  ): tf.TensorInfo {
    const kernel = tf.getKernel(kernelName, this.backendName);
    if (kernel === undefined) {
      throw new Error(`${this.backendName} kernel ${kernelName} is not registered`);
    }
    return this.track(kernel.kernelFunc({ inputs, backend: this.backend, attrs }));
  }

  /** Calls a kernelFunc that is not (or no longer) in the registry, e.g. a replaced original. */
  runFunc(kernelFunc: tf.KernelFunc, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap) {
    return this.track(kernelFunc({ inputs, backend: this.backend, attrs }));
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

  protected track(out: tf.TensorInfo | tf.TensorInfo[]): tf.TensorInfo {
    if (Array.isArray(out)) {
      this.temps.push(...out);
      throw new Error('KernelCalls: multi-output kernels are not supported');
    }
    this.temps.push(out);
    return out;
  }
}

/** Runs fn with fresh calls on `backendName`; intermediates are freed even when fn throws. */
export function withKernelCalls(
  backendName: string,
  backend: unknown,
  fn: (calls: KernelCalls) => tf.TensorInfo,
): tf.TensorInfo {
  const calls = new KernelCalls(backendName, backend as tf.KernelBackend);
  try {
    return calls.keep(fn(calls));
  } finally {
    calls.dispose();
  }
}
