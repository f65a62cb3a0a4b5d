// The samplers' update rules, one pure function each, on interleaved 2-D particles
// [x_0, y_0, x_1, y_1, …]. `s` is the score ∇ log p at x, `z` standard normal noise. Each writes
// into `out` (which may be x itself) and cites the equation and the reference code it follows.

/**
 * Langevin dynamics: x ← x + α s + √(2α) z (Song & Ermon 2019, eq. 4 and Alg. 1, line 6;
 * ermongroup/ncsn `anneal_Langevin_dynamics`: x + step_size·grad + sqrt(step_size·2)·noise).
 */
export function langevinUpdate(
  x: Float64Array,
  s: Float64Array,
  alpha: number,
  z: Float64Array,
  out: Float64Array,
): void {
  const k = Math.sqrt(2 * alpha);
  for (let i = 0; i < x.length; i++) out[i] = x[i] + alpha * s[i] + k * z[i];
}

/** Mean of the per-particle Euclidean norms (score_sde takes ‖·‖ per sample, then the mean). */
export function meanNorm(v: Float64Array): number {
  const n = v.length >> 1;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.hypot(v[2 * i], v[2 * i + 1]);
  return sum / n;
}

/**
 * The Langevin corrector's step size from its signal-to-noise ratio r:
 * ε = 2α (r‖z‖/‖s‖)² (Song et al. 2021, Alg. 4 and 5; score_sde `LangevinCorrector`, with
 * α = 1 − β_i for VP and 1 for VE). A larger snr takes bigger, noisier steps.
 */
export function correctorStepSize(
  s: Float64Array,
  z: Float64Array,
  snr: number,
  alpha: number,
): number {
  const gradNorm = meanNorm(s);
  const noiseNorm = meanNorm(z);
  if (gradNorm === 0) return 0;
  const r = (snr * noiseNorm) / gradNorm;
  return 2 * alpha * r * r;
}

/**
 * One Euler–Maruyama step of the reverse-time SDE dx = [f − g² s] dt + g dw̄ with dt < 0
 * (Song et al. 2021, eq. 6; score_sde `EulerMaruyamaPredictor`):
 * mean = x + (c x − g² s) dt,  x ← mean + g √(−dt) z. Writes the mean too (the last step returns it).
 */
export function reverseSdeEulerStep(
  x: Float64Array,
  s: Float64Array,
  c: number,
  g: number,
  dt: number,
  z: Float64Array | null,
  out: Float64Array,
  mean: Float64Array,
): void {
  const g2 = g * g;
  const k = g * Math.sqrt(-dt);
  for (let i = 0; i < x.length; i++) {
    const m = x[i] + (c * x[i] - g2 * s[i]) * dt;
    mean[i] = m;
    out[i] = z ? m + k * z[i] : m;
  }
}

/**
 * The reverse-diffusion predictor on the discretised SDE x_{i+1} = x_i + f_i(x_i) + G_i z
 * (Song et al. 2021, eq. 46–47; score_sde `ReverseDiffusionPredictor`):
 * mean = x − (f_i(x) − G_i² s),  x ← mean + G_i z, with f_i(x) = fc·x.
 */
export function reverseDiffusionStep(
  x: Float64Array,
  s: Float64Array,
  fc: number,
  G: number,
  z: Float64Array | null,
  out: Float64Array,
  mean: Float64Array,
): void {
  const G2 = G * G;
  for (let i = 0; i < x.length; i++) {
    const m = x[i] - (fc * x[i] - G2 * s[i]);
    mean[i] = m;
    out[i] = z ? m + G * z[i] : m;
  }
}

/**
 * DDPM's ancestral step written with the score (Ho et al. 2020, eq. 11 with ε = −√(1−ᾱ_i)·s and
 * σ_i² = β_i; score_sde `AncestralSamplingPredictor.vpsde_update_fn`):
 * mean = (x + β_i s)/√(1 − β_i),  x ← mean + √β_i z.
 */
export function ancestralStep(
  x: Float64Array,
  s: Float64Array,
  beta: number,
  z: Float64Array | null,
  out: Float64Array,
  mean: Float64Array,
): void {
  const inv = 1 / Math.sqrt(1 - beta);
  const k = Math.sqrt(beta);
  for (let i = 0; i < x.length; i++) {
    const m = (x[i] + beta * s[i]) * inv;
    mean[i] = m;
    out[i] = z ? m + k * z[i] : m;
  }
}

/**
 * The probability-flow ODE's velocity dx/dt = f − ½ g² s = c x − ½ g² s (Song et al. 2021,
 * eq. 13; score_sde's reverse SDE with probability_flow=True).
 */
export function pfOdeVelocity(
  x: Float64Array,
  s: Float64Array,
  c: number,
  g: number,
  out: Float64Array,
): void {
  const h = 0.5 * g * g;
  for (let i = 0; i < x.length; i++) out[i] = c * x[i] - h * s[i];
}
