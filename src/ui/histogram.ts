// Histogram of pixel values against the standard normal density, for the forward view: as t
// grows, x_t's pixels approach N(0, 1) whatever the image was.

export interface HistogramBin {
  /** Bin centre. */
  x: number;
  /** Empirical density: count / (n * binWidth), comparable to a pdf. */
  density: number;
  /** N(0, 1) density at the bin centre. */
  normal: number;
}

export function normalPdf(x: number): number {
  return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
}

/** Bins `values` over [lo, hi] into `bins` equal bins; values outside go to the end bins. */
export function histogram(values: ArrayLike<number>, bins = 40, lo = -4, hi = 4): HistogramBin[] {
  const width = (hi - lo) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) {
    const k = Math.floor((values[i] - lo) / width);
    counts[Math.min(bins - 1, Math.max(0, k))]++;
  }
  const n = Math.max(1, values.length);
  return counts.map((c, k) => {
    const x = lo + (k + 0.5) * width;
    return { x, density: c / (n * width), normal: normalPdf(x) };
  });
}

export function meanAndStd(values: ArrayLike<number>): { mean: number; std: number } {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  const mean = sum / Math.max(1, values.length);
  let sq = 0;
  for (let i = 0; i < values.length; i++) sq += (values[i] - mean) ** 2;
  return { mean, std: Math.sqrt(sq / Math.max(1, values.length)) };
}
