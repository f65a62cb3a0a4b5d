// Classification accuracy of a judge's predictions, overall and per true class.

/** Index of the largest of each row of n × k scores (the first one on ties). */
export function argmaxRows(scores: ArrayLike<number>, n: number, k: number): Int32Array {
  if (scores.length !== n * k) {
    throw new RangeError(`scores has ${scores.length} values, expected n * k = ${n * k}`);
  }
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (scores[i * k + j] > scores[i * k + best]) best = j;
    out[i] = best;
  }
  return out;
}

export interface ClassAccuracy {
  /** Fraction of all examples predicted as their label. */
  overall: number;
  /** Per true class; null for a class with no examples. */
  perClass: (number | null)[];
  /** Examples per true class. */
  counts: number[];
}

export function classAccuracy(
  predicted: ArrayLike<number>,
  labels: ArrayLike<number>,
  numClasses: number,
): ClassAccuracy {
  if (predicted.length !== labels.length) {
    throw new RangeError(`${predicted.length} predictions for ${labels.length} labels`);
  }
  if (labels.length === 0) throw new RangeError('classAccuracy needs at least one example');
  const counts = new Array<number>(numClasses).fill(0);
  const hits = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (!Number.isInteger(y) || y < 0 || y >= numClasses) {
      throw new RangeError(`label ${y} is outside [0, ${numClasses - 1}]`);
    }
    counts[y]++;
    if (predicted[i] === y) hits[y]++;
  }
  const total = hits.reduce((a, b) => a + b, 0);
  return {
    overall: total / labels.length,
    perClass: counts.map((c, k) => (c === 0 ? null : hits[k] / c)),
    counts,
  };
}
