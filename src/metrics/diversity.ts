// Within-class diversity in a judge's feature space: the mean pairwise L2 distance between the
// features of images of one class. Divided by the same quantity on real images of that class it
// reads as "how diverse compared with the data": 1 = as diverse, → 0 = mode collapse (all
// samples alike, as strong classifier-free guidance tends to give; Ho & Salimans 2022, Fig. 1).

/** Mean of ‖f_i − f_j‖ over all pairs i < j of the given rows; null for fewer than 2 rows. */
export function meanPairwiseDistance(
  features: ArrayLike<number>,
  d: number,
  rows: ArrayLike<number>,
): number | null {
  const m = rows.length;
  if (m < 2) return null;
  let sum = 0;
  for (let a = 0; a < m; a++) {
    const ia = rows[a] * d;
    for (let b = a + 1; b < m; b++) {
      const ib = rows[b] * d;
      let s = 0;
      for (let j = 0; j < d; j++) {
        const diff = features[ia + j] - features[ib + j];
        s += diff * diff;
      }
      sum += Math.sqrt(s);
    }
  }
  return sum / ((m * (m - 1)) / 2);
}

/** meanPairwiseDistance within each class 0..numClasses-1 (null where < 2 examples). */
export function perClassPairwiseDistance(
  features: ArrayLike<number>,
  d: number,
  labels: ArrayLike<number>,
  numClasses: number,
): (number | null)[] {
  if (features.length !== labels.length * d) {
    throw new RangeError(`features has ${features.length} values for ${labels.length} × d = ${d}`);
  }
  const rows: number[][] = Array.from({ length: numClasses }, () => []);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (!Number.isInteger(y) || y < 0 || y >= numClasses) {
      throw new RangeError(`label ${y} is outside [0, ${numClasses - 1}]`);
    }
    rows[y].push(i);
  }
  return rows.map((r) => meanPairwiseDistance(features, d, r));
}

export interface Diversity {
  /** Samples' pairwise distance / real data's, per class; null where either is missing. */
  perClass: (number | null)[];
  /** Mean of the non-null per-class ratios; null when there is none. */
  mean: number | null;
}

export function diversityRatio(
  samples: readonly (number | null)[],
  reference: readonly (number | null)[],
): Diversity {
  if (samples.length !== reference.length) {
    throw new RangeError(`${samples.length} sample classes vs ${reference.length} reference ones`);
  }
  const perClass = samples.map((s, k) => {
    const r = reference[k];
    return s === null || r === null || r <= 0 ? null : s / r;
  });
  const known = perClass.filter((v): v is number => v !== null);
  return {
    perClass,
    mean: known.length === 0 ? null : known.reduce((a, b) => a + b, 0) / known.length,
  };
}
