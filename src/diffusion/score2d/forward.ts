// The forward SDEs as particles: data points diffusing under dx = c(t) x dt + g(t) dw, simulated by
// Euler–Maruyama from t = 0 to 1 (Song et al. 2021, eq. 5, 9, 11, 12), and the marginal's mean
// coefficient and std measured from them, to set beside score_sde's closed-form `marginal_prob`.
import { Gaussian } from './rng';
import type { Sde } from './sde';

export interface ForwardRun {
  /** The times of the snapshots: t_k = k/steps, k = 0..steps. */
  times: Float64Array;
  /** Particles at each time, interleaved (steps + 1 arrays of 2n values). */
  snapshots: Float32Array[];
  /** Measured mean coefficient â(t_k) = Σ x_t·x_0 / Σ x_0·x_0 (least squares of x_t on x_0). */
  measuredMean: Float64Array;
  /** Measured std b̂(t_k) = √(mean ‖x_t − a(t_k) x_0‖² / 2) per coordinate. */
  measuredStd: Float64Array;
}

/** x_{k+1} = x_k + c(t_k) x_k Δt + g(t_k) √Δt z_k, Δt = 1/steps, from the data points x0. */
export function simulateForwardSde(
  sde: Sde,
  x0: Float64Array,
  steps: number,
  seed: number,
): ForwardRun {
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError('steps must be ≥ 1');
  const noise = new Gaussian(seed);
  const n = x0.length >> 1;
  const x = Float64Array.from(x0);
  const dt = 1 / steps;
  const times = new Float64Array(steps + 1);
  const snapshots: Float32Array[] = [];
  const measuredMean = new Float64Array(steps + 1);
  const measuredStd = new Float64Array(steps + 1);
  let x0x0 = 0;
  for (let i = 0; i < x0.length; i++) x0x0 += x0[i] * x0[i];
  const measure = (k: number) => {
    const t = k * dt;
    const { a } = sde.marginal(t);
    let xtx0 = 0;
    let r2 = 0;
    for (let i = 0; i < x.length; i++) {
      xtx0 += x[i] * x0[i];
      r2 += (x[i] - a * x0[i]) ** 2;
    }
    times[k] = t;
    measuredMean[k] = xtx0 / x0x0;
    measuredStd[k] = Math.sqrt(r2 / (2 * n));
    snapshots.push(Float32Array.from(x));
  };
  measure(0);
  for (let k = 0; k < steps; k++) {
    const t = k * dt;
    const c = sde.driftCoef(t);
    const g = sde.diffusion(t) * Math.sqrt(dt);
    for (let i = 0; i < x.length; i++) x[i] += c * x[i] * dt + g * noise.next();
    measure(k + 1);
  }
  return { times, snapshots, measuredMean, measuredStd };
}
