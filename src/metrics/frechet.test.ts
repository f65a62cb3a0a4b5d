import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { featureStats } from './featureStats';
import { frechetDistance, frechetParts, symmetricSqrt } from './frechet';

/** Σ = L Lᵀ with L[i][j] = sin(a i + b j + c), d × r (rank r). */
function gramCov(d: number, r: number, a: number, b: number, c: number): Float64Array {
  const l = (i: number, j: number) => Math.sin(a * i + b * j + c);
  const cov = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let k = 0; k < d; k++) {
      for (let j = 0; j < r; j++) cov[i * d + k] += l(i, j) * l(k, j);
    }
  }
  return cov;
}

/** L Lᵀ + δ I (L as in gramCov, d × d): full rank and well conditioned. */
function fullRankCov(d: number, a: number, b: number, c: number, delta: number): Float64Array {
  const cov = gramCov(d, d, a, b, c);
  for (let i = 0; i < d; i++) cov[i * d + i] += delta;
  return cov;
}

const cosMean = (d: number, a: number) =>
  Float64Array.from({ length: d }, (_, j) => Math.cos(a * j));

function diagonal(values: number[]): Float64Array {
  const d = values.length;
  const m = new Float64Array(d * d);
  values.forEach((v, i) => (m[i * d + i] = v));
  return m;
}

describe('frechetDistance', () => {
  it('equals |Δμ|² + Σ(√a − √b)² for diagonal covariances', () => {
    const a = { d: 3, mean: Float64Array.of(1, 2, 3), cov: diagonal([4, 9, 0.25]) };
    const b = { d: 3, mean: Float64Array.of(0, 2, 5), cov: diagonal([1, 16, 1]) };
    // |Δμ|² = 1 + 0 + 4; (2−1)² + (3−4)² + (0.5−1)² = 2.25.
    expect(frechetDistance(a, b)).toBeCloseTo(7.25, 12);
    const parts = frechetParts(a, b);
    expect(parts.meanTerm).toBeCloseTo(5, 12);
    expect(parts.covTerm).toBeCloseTo(2.25, 12);
  });

  it('equals Σ(√a − √b)² for commuting (jointly rotated) covariances', () => {
    // Q = rotation by θ in the (0, 1) plane; Σa = Q diag(4, 1) Qᵀ, Σb = Q diag(9, 0) Qᵀ.
    const th = 0.7;
    const q = new Matrix([
      [Math.cos(th), -Math.sin(th)],
      [Math.sin(th), Math.cos(th)],
    ]);
    const rot = (v: number[]) =>
      Float64Array.from(q.mmul(Matrix.diag(v)).mmul(q.transpose()).to1DArray());
    const a = { d: 2, mean: Float64Array.of(0, 0), cov: rot([4, 1]) };
    const b = { d: 2, mean: Float64Array.of(0, 0), cov: rot([9, 0]) };
    expect(frechetDistance(a, b)).toBeCloseTo((2 - 3) ** 2 + (1 - 0) ** 2, 10);
  });

  it('is 0 from a Gaussian to itself and symmetric', () => {
    const a = { d: 5, mean: cosMean(5, 1), cov: fullRankCov(5, 7, 3, 1, 0.5) };
    const b = { d: 5, mean: cosMean(5, 2), cov: fullRankCov(5, 2, 5, 0.5, 0.25) };
    expect(frechetDistance(a, a)).toBeLessThan(1e-9);
    expect(frechetDistance(a, b)).toBeCloseTo(frechetDistance(b, a), 9);
  });

  it('matches independently computed values on full-rank and rank-deficient inputs', () => {
    // References for these same matrices: mpmath at 50 digits (symmetric eigendecompositions),
    // and, for the full-rank pair, the pytorch-fid formula with scipy.linalg.sqrtm (scipy 1.17),
    // |μ1−μ2|² + Tr Σ1 + Tr Σ2 − 2 Tr Re sqrtm(Σ1 Σ2) = 20.6026502136335.
    const a = { d: 5, mean: cosMean(5, 1), cov: fullRankCov(5, 7, 3, 1, 0.5) };
    const b = { d: 5, mean: cosMean(5, 2), cov: fullRankCov(5, 2, 5, 0.5, 0.25) };
    expect(frechetDistance(a, b)).toBeCloseTo(20.6026502136335, 10);
    // sin(a i + b j + c) = sin(a i + c) cos(b j) + cos(a i + c) sin(b j): these L Lᵀ have rank 2,
    // as covariances of fewer samples than features do. Eigenvalues at the rounding level limit
    // the accuracy of any square root to ~√ε (mpmath: 27.44021133455357; scipy's sqrtm gives
    // 27.440211116354615).
    const c = { d: 5, mean: cosMean(5, 1), cov: gramCov(5, 5, 7, 3, 1) };
    const e = { d: 5, mean: cosMean(5, 2), cov: gramCov(5, 5, 2, 5, 0.5) };
    expect(frechetDistance(c, e)).toBeCloseTo(27.44021133455357, 6);
    const f = { d: 6, mean: cosMean(6, 0.5), cov: gramCov(6, 2, 1.3, 0.7, 0.2) };
    const g = { d: 6, mean: cosMean(6, 0.3), cov: gramCov(6, 6, 0.4, 1.1, 0.9) };
    expect(frechetDistance(f, g)).toBeCloseTo(21.52188315138883, 6);
  });

  it('of two samples from one distribution shrinks as the samples grow', () => {
    // Two independent sample sets from N(0, diag(1, 4)) (deterministic normals via Box-Muller).
    let state = 12345;
    const uniform = () => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return (state + 0.5) / 2 ** 32;
    };
    const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
    const draw = (n: number) => {
      const x = new Float64Array(2 * n);
      for (let i = 0; i < n; i++) {
        x[2 * i] = normal();
        x[2 * i + 1] = 2 * normal();
      }
      return featureStats(x, n, 2);
    };
    const small = frechetDistance(draw(50), draw(50));
    const large = frechetDistance(draw(5000), draw(5000));
    expect(large).toBeLessThan(small);
    expect(large).toBeLessThan(0.02);
  });

  it('rejects mismatched dimensions', () => {
    const a = { d: 2, mean: new Float64Array(2), cov: diagonal([1, 1]) };
    const b = { d: 3, mean: new Float64Array(3), cov: diagonal([1, 1, 1]) };
    expect(() => frechetDistance(a, b)).toThrow(/dimensions differ/);
    expect(() => frechetDistance({ ...a, cov: new Float64Array(3) }, a)).toThrow(/cov 3 values/);
  });
});

describe('symmetricSqrt', () => {
  it('squares back to a PSD matrix and clamps tiny negative eigenvalues', () => {
    const m = new Matrix([
      [4, 2],
      [2, 2],
    ]);
    const r = symmetricSqrt(m);
    const back = r.mmul(r);
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 2; j++) expect(back.get(i, j)).toBeCloseTo(m.get(i, j), 12);
    // [[1, 1], [1, 1]] − 1e-14 I has eigenvalues 2 − 1e-14 and −1e-14: the root is finite.
    const nearSingular = new Matrix([
      [1 - 1e-14, 1],
      [1, 1 - 1e-14],
    ]);
    const s = symmetricSqrt(nearSingular);
    expect(s.to1DArray().every(Number.isFinite)).toBe(true);
    expect(s.get(0, 0)).toBeCloseTo(Math.SQRT1_2, 6);
  });
});
