// UnsortedSegmentSum for the wasm backend, which lacks it. tf.gather's gradient needs it (the
// class-embedding table of the U-Net). Wasm memory is CPU memory, so a JS loop over the heap
// views is simple and, for an embedding table, cheap.
import * as tf from '@tensorflow/tfjs';
import { withWasmCalls } from './wasmCalls';

/** out[s, ...] = sum of x[i, ...] over all i with segmentIds[i] = s; ids outside [0, num) dropped. */
export function unsortedSegmentSumWasm(
  backend: unknown,
  x: tf.TensorInfo,
  segmentIds: tf.TensorInfo,
  numSegments: number,
): tf.TensorInfo {
  const inner = tf.util.sizeFromShape(x.shape.slice(segmentIds.shape.length));
  const rows = tf.util.sizeFromShape(segmentIds.shape);
  return withWasmCalls(backend, (calls) => {
    const out = calls.alloc([numSegments, ...x.shape.slice(segmentIds.shape.length)], x.dtype);
    const dst = calls.view(out);
    const src = calls.view(x);
    const ids = calls.view(segmentIds);
    dst.fill(0);
    for (let i = 0; i < rows; i++) {
      const s = ids[i];
      if (s < 0 || s >= numSegments) continue;
      const d = s * inner;
      const o = i * inner;
      for (let k = 0; k < inner; k++) dst[d + k] += src[o + k];
    }
    return out;
  });
}
