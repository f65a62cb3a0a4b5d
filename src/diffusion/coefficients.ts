// Turns float64 schedule arrays into float32 tensors that broadcast against a batch.
import * as tf from '@tensorflow/tfjs';

/** One timestep index for the whole batch, or an int32 Tensor1D with one index per example. */
export type Timestep = number | tf.Tensor1D;

/** Throws a RangeError unless t is an integer index into an array of length T. */
export function validateTimestep(t: number, T: number): void {
  if (!Number.isInteger(t) || t < 0 || t >= T) {
    throw new RangeError(`timestep index must be an integer in [0, ${T - 1}] (got ${t})`);
  }
}

/**
 * Coefficient `map(values[t])` as a float32 tensor that broadcasts against a tensor of rank
 * `rank` whose first axis is the batch: a scalar for a number t, shape [B, 1, …, 1] for a
 * Tensor1D t (gathered per example). Call inside tf.tidy. A tensor t is not range-checked here
 * (that would need a GPU read-back); tf.gather's own bounds handling applies.
 */
export function coefficientAt(
  values: Float64Array,
  t: Timestep,
  rank: number,
  map: (v: number) => number = (v) => v,
): tf.Tensor {
  if (typeof t === 'number') {
    validateTimestep(t, values.length);
    return tf.scalar(map(values[t]), 'float32');
  }
  if (t.rank !== 1 || t.dtype !== 'int32') {
    throw new TypeError(
      `timestep tensor must be an int32 Tensor1D (got ${t.dtype} rank ${t.rank})`,
    );
  }
  const table = tf.tensor1d(Float32Array.from(values, map), 'float32');
  const shape = [t.shape[0], ...new Array<number>(Math.max(rank - 1, 0)).fill(1)];
  return tf.gather(table, t).reshape(shape);
}

/** Throws unless two tensors have the same shape (tf would broadcast silently). */
export function assertSameShape(a: tf.Tensor, b: tf.Tensor, what: string): void {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new RangeError(`${what}: shapes differ ([${a.shape}] vs [${b.shape}])`);
  }
}

/** Throws if a per-example timestep tensor does not match the batch size of x. */
export function assertBatchMatches(x: tf.Tensor, t: Timestep): void {
  if (typeof t !== 'number' && t.shape[0] !== x.shape[0]) {
    throw new RangeError(`timestep tensor has ${t.shape[0]} entries for a batch of ${x.shape[0]}`);
  }
}
