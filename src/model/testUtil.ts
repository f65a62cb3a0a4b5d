// Helpers shared by the model tests (not imported by app code).
import * as tf from '@tensorflow/tfjs';

/** Deterministic pseudo-random numbers in [-1, 1) (LCG), for plain-JS reference computations. */
export function randomValues(n: number, seed: number): number[] {
  let s = seed >>> 0 || 1;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out.push((s / 2 ** 32) * 2 - 1);
  }
  return out;
}

export async function values(t: tf.Tensor): Promise<number[]> {
  return Array.from(await t.data());
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Plain-JS GroupNorm on a flat NHWC array, float64. */
export function groupNormRef(
  x: number[],
  [b, h, w, c]: number[],
  gamma: number[],
  beta: number[],
  groups: number,
  eps = 1e-5,
): number[] {
  const out = new Array<number>(x.length);
  const cg = c / groups;
  for (let n = 0; n < b; n++) {
    for (let g = 0; g < groups; g++) {
      const idx: number[] = [];
      for (let p = 0; p < h * w; p++) {
        for (let j = 0; j < cg; j++) idx.push((n * h * w + p) * c + g * cg + j);
      }
      const mean = idx.reduce((s, i) => s + x[i], 0) / idx.length;
      const variance = idx.reduce((s, i) => s + (x[i] - mean) ** 2, 0) / idx.length;
      for (const i of idx) {
        const ch = i % c;
        out[i] = ((x[i] - mean) / Math.sqrt(variance + eps)) * gamma[ch] + beta[ch];
      }
    }
  }
  return out;
}
