// Latent scaling of latent diffusion (Rombach et al. 2022, Sec. 4.3.2 and Appendix D.1 / G: "we
// rescale the latents by the component-wise standard deviation" — in their code
// `scale_factor = 1 / z.flatten().std()` of the first training batch, ldm/models/diffusion/ddpm.py,
// LatentDiffusion.on_train_batch_start). The diffusion then runs on z·scale, whose variance is 1
// like the [-1, 1] pixels' the schedules were designed for; sampling divides by it again before
// the decoder: x = D(z₀ / scale).

/**
 * 1 / std of all the given latent values (one flat array of any batch), the unbiased (n − 1)
 * standard deviation around their mean, as torch's Tensor.std(). Computed in float64.
 */
export function latentScaleFactor(values: ArrayLike<number>): number {
  const n = values.length;
  if (n < 2) throw new RangeError(`latentScaleFactor needs at least 2 values (got ${n})`);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i];
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i] - mean;
    ss += d * d;
  }
  const std = Math.sqrt(ss / (n - 1));
  if (!Number.isFinite(std) || std === 0) {
    throw new RangeError(`the latents' standard deviation is ${std}: no scale factor exists`);
  }
  return 1 / std;
}

/** z·scale, the latent the diffusion model sees (a new array). */
export function scaleLatents(z: ArrayLike<number>, scale: number): Float32Array {
  const out = new Float32Array(z.length);
  for (let i = 0; i < z.length; i++) out[i] = z[i] * scale;
  return out;
}

/** z / scale, back to the autoencoder's latent before D (a new array). */
export function unscaleLatents(z: ArrayLike<number>, scale: number): Float32Array {
  const out = new Float32Array(z.length);
  for (let i = 0; i < z.length; i++) out[i] = z[i] / scale;
  return out;
}
