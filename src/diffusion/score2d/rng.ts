// Seeded randomness for the 2-D score playground: the same seed gives the same starting noise and
// the same Langevin / SDE noise in the browser, the CLI and the tests. The generators are the
// project's one seeded-random module (src/random/seeded.ts).
import { fmix32, mulberry32 } from '../../random/seeded';

export { mulberry32 };

/** The streams a run draws from, so that e.g. the start noise never depends on the sampler. */
export const STREAM2D = { start: 1, steps: 2, data: 3, training: 4, projections: 5 } as const;

export function streamSeed(seed: number, stream: number): number {
  return fmix32(fmix32((seed >>> 0) ^ 0x9e3779b9) ^ Math.imul(stream + 1, 0x27d4eb2f));
}

/** Standard normal draws (Box–Muller on mulberry32). */
export class Gaussian {
  private readonly uniform: () => number;
  private spare: number | null = null;

  constructor(seed: number) {
    this.uniform = mulberry32(seed);
  }

  uniformDraw(): number {
    return this.uniform();
  }

  next(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    const u1 = 1 - this.uniform(); // in (0, 1]: log is finite
    const u2 = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spare = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  }

  fill(out: Float64Array): Float64Array {
    for (let i = 0; i < out.length; i++) out[i] = this.next();
    return out;
  }
}

/** Φ(z), the standard normal CDF (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly =
    t *
    (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}
