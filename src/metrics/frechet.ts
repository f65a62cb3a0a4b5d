// The Fréchet (2-Wasserstein) distance between two Gaussians (Dowson & Landau 1982), the FID of
// Heusel et al. 2017 when the Gaussians are fitted to a judge network's features:
//
//   d² = |μa − μb|² + Tr(Σa + Σb − 2 (Σa Σb)^{1/2}).
//
// Σa Σb is not symmetric, but it is similar to the symmetric PSD matrix Σa^{1/2} Σb Σa^{1/2}
// (conjugate by Σa^{1/2}), so Tr (Σa Σb)^{1/2} = Σ_i √λ_i of the latter. Both square roots come
// from symmetric eigendecompositions (ml-matrix), with eigenvalues that rounding pushed below 0
// clamped to 0: unlike a general matrix square root (scipy.linalg.sqrtm in the reference FID
// code) this never returns complex values for the rank-deficient covariances of few samples.
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import type { FeatureStats } from './featureStats';

type Gaussian = Pick<FeatureStats, 'd' | 'mean' | 'cov'>;

function toMatrix(flat: ArrayLike<number>, d: number): Matrix {
  const m = new Matrix(d, d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) m.set(i, j, flat[i * d + j]);
  return m;
}

/** (M + Mᵀ) / 2: removes the rounding asymmetry before a symmetric eigendecomposition. */
function symmetrize(m: Matrix): Matrix {
  return m.clone().add(m.transpose()).mul(0.5);
}

function symmetricEigenvalues(m: Matrix): number[] {
  return new EigenvalueDecomposition(symmetrize(m), { assumeSymmetric: true }).realEigenvalues;
}

/** The PSD square root V diag(√max(λ, 0)) Vᵀ of a symmetric matrix. */
export function symmetricSqrt(m: Matrix): Matrix {
  const evd = new EigenvalueDecomposition(symmetrize(m), { assumeSymmetric: true });
  const v = evd.eigenvectorMatrix;
  const roots = evd.realEigenvalues.map((l) => Math.sqrt(Math.max(l, 0)));
  const scaled = v.clone();
  for (let j = 0; j < roots.length; j++) {
    for (let i = 0; i < scaled.rows; i++) scaled.set(i, j, scaled.get(i, j) * roots[j]);
  }
  return scaled.mmul(v.transpose());
}

/** Tr (Σa Σb)^{1/2}, via the eigenvalues of Σa^{1/2} Σb Σa^{1/2}. */
export function traceSqrtProduct(covA: Matrix, covB: Matrix): number {
  const rootA = symmetricSqrt(covA);
  const inner = rootA.mmul(covB).mmul(rootA);
  return symmetricEigenvalues(inner).reduce((s, l) => s + Math.sqrt(Math.max(l, 0)), 0);
}

function check(g: Gaussian, which: string): void {
  if (g.mean.length !== g.d || g.cov.length !== g.d * g.d) {
    throw new RangeError(
      `${which}: mean has ${g.mean.length} and cov ${g.cov.length} values for d = ${g.d}`,
    );
  }
}

export interface FrechetParts {
  /** |μa − μb|² */
  meanTerm: number;
  /** Tr(Σa + Σb − 2 (Σa Σb)^{1/2}) */
  covTerm: number;
  /** meanTerm + covTerm, clamped at 0 (rounding can make it −1e-12). */
  distance: number;
}

/** The Fréchet distance with its two terms. */
export function frechetParts(a: Gaussian, b: Gaussian): FrechetParts {
  check(a, 'frechetDistance a');
  check(b, 'frechetDistance b');
  if (a.d !== b.d) throw new RangeError(`frechetDistance: dimensions differ (${a.d} vs ${b.d})`);
  const { d } = a;
  let meanTerm = 0;
  for (let j = 0; j < d; j++) meanTerm += (a.mean[j] - b.mean[j]) ** 2;
  let traces = 0;
  for (let j = 0; j < d; j++) traces += a.cov[j * d + j] + b.cov[j * d + j];
  const covTerm = traces - 2 * traceSqrtProduct(toMatrix(a.cov, d), toMatrix(b.cov, d));
  const distance = Math.max(0, meanTerm + covTerm);
  if (!Number.isFinite(distance)) throw new RangeError('frechetDistance: NaN or Inf in the input');
  return { meanTerm, covTerm, distance };
}

/** d² = |μa − μb|² + Tr(Σa + Σb − 2 (Σa Σb)^{1/2}), the quantity FID reports. */
export function frechetDistance(a: Gaussian, b: Gaussian): number {
  return frechetParts(a, b).distance;
}
