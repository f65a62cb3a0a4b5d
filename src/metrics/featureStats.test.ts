import { describe, expect, it } from 'vitest';
import { featureStats } from './featureStats';

describe('featureStats', () => {
  it('matches numpy mean and np.cov(rowvar=False) (unbiased)', () => {
    // X[i][j] = float32(3 sin(0.37 i + 1.7 j) + j), 7 x 3; reference values from numpy 2.4.
    const n = 7;
    const d = 3;
    const x = new Float32Array(n * d);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) x[i * d + j] = Math.sin(i * 0.37 + j * 1.7) * 3 + j;
    }
    const s = featureStats(x, n, d);
    const mean = [2.007995775767735, 1.72982323382582, -0.19606321624347142];
    const cov = [
      [1.2030218775793309, -1.6122671050471429, -0.7875584280029464],
      [-1.6122671050471429, 3.77208326604095, 0.6402428381268844],
      [-0.7875584280029464, 0.6402428381268844, 0.622574914537183],
    ];
    mean.forEach((m, j) => expect(s.mean[j]).toBeCloseTo(m, 12));
    cov.forEach((row, j) => row.forEach((c, k) => expect(s.cov[j * d + k]).toBeCloseTo(c, 12)));
    expect(s).toMatchObject({ n, d });
  });

  it('is exact for two points: Σ = (a − b)(a − b)ᵀ / 2, and stable under a large offset', () => {
    const offset = 1e6;
    const s = featureStats(Float64Array.of(offset + 1, offset + 2, offset + 3, offset + 6), 2, 2);
    expect([...s.mean]).toEqual([offset + 2, offset + 4]);
    // a − b = (−2, −4): Σ = [[2, 4], [4, 8]].
    expect([...s.cov]).toEqual([2, 4, 4, 8]);
  });

  it('rejects too few vectors, a wrong length and NaN', () => {
    expect(() => featureStats(new Float32Array(3), 1, 3)).toThrow(/n >= 2/);
    expect(() => featureStats(new Float32Array(5), 2, 3)).toThrow(/expected n \* d = 6/);
    expect(() => featureStats(Float32Array.of(1, Number.NaN, 2, 3), 2, 2)).toThrow(/NaN/);
  });
});
