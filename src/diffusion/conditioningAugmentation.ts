// Conditioning augmentation for a cascade's super-resolution stage (Ho et al. 2021, "Cascaded
// Diffusion Models for High Fidelity Image Generation", JMLR, Sec. 4). The SR model is trained on
// low-resolution images that are corrupted on purpose, so that at sampling time it does not copy
// (and amplify) the artefacts of the base model's samples, which it never saw in training:
//
//   Gaussian noise (Sec. 4.2): z_s = √ᾱ_s·x_low + √(1−ᾱ_s)·ε with the diffusion's own forward
//     process; the level s is an input of the model. Training draws s uniformly from
//     {0, …, s_max}; sampling picks one s (non-truncated: noise the finished base sample;
//     truncated: stop the base's reverse process at s and hand over its z_s).
//   Gaussian blur (Sec. 4.1): the low-resolution image is blurred by a Gaussian kernel with σ drawn
//     from a range; CDM's 64→256 model uses σ in (0.4, 0.6). Here σ ~ U[0, σ_max] in low-res pixels.
//
// Everything here is pure float64 (no tfjs); conditioningTensor.ts applies it to batches.

export const AUGMENTATIONS = ['noise', 'blur', 'none'] as const;
export type AugmentationKind = (typeof AUGMENTATIONS)[number];

/** The largest blur σ (in low-resolution pixels) a model may be trained or sampled with. */
export const MAX_BLUR_SIGMA = 3;

/** Kernel radius for σ: 3σ covers 99.7% of the Gaussian's mass; at least 1 tap each side. */
export function blurRadius(sigma: number): number {
  return Math.max(1, Math.ceil(3 * sigma));
}

/**
 * A normalised 1-D Gaussian kernel k_j ∝ exp(−j²/(2σ²)), j = −r…r, summing to 1. σ = 0 gives the
 * identity (a single 1 in the middle).
 */
export function gaussianKernel1d(sigma: number, radius: number = blurRadius(sigma)): Float64Array {
  if (!(Number.isFinite(sigma) && sigma >= 0)) {
    throw new RangeError(`blur σ must be a finite number >= 0 (got ${sigma})`);
  }
  if (!(Number.isInteger(radius) && radius >= 0)) {
    throw new RangeError(`kernel radius must be an integer >= 0 (got ${radius})`);
  }
  const k = new Float64Array(2 * radius + 1);
  if (sigma === 0) {
    k[radius] = 1;
    return k;
  }
  let sum = 0;
  for (let j = -radius; j <= radius; j++) {
    const v = Math.exp(-(j * j) / (2 * sigma * sigma));
    k[j + radius] = v;
    sum += v;
  }
  for (let i = 0; i < k.length; i++) k[i] /= sum;
  return k;
}

/**
 * The n x n matrix B (row-major) of a 1-D Gaussian blur along one image axis: B[i][j] = k_{j−i}
 * for |j − i| ≤ r, each row renormalised over the taps inside the image, so a constant image
 * (MNIST's −1 background) stays constant at the borders. In the interior B is the convolution
 * with gaussianKernel1d; the 2-D blur of an image X is B X Bᵀ (the Gaussian is separable).
 */
export function blurMatrix(n: number, sigma: number): Float64Array {
  if (!(Number.isInteger(n) && n >= 1))
    throw new RangeError(`size must be an integer >= 1 (got ${n})`);
  const r = blurRadius(sigma);
  const k = gaussianKernel1d(sigma, r);
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    let rowSum = 0;
    for (let j = Math.max(0, i - r); j <= Math.min(n - 1, i + r); j++) rowSum += k[j - i + r];
    for (let j = Math.max(0, i - r); j <= Math.min(n - 1, i + r); j++) {
      m[i * n + j] = k[j - i + r] / rowSum;
    }
  }
  return m;
}

/** The coefficients of z_s = √ᾱ_s·x_low + √(1−ᾱ_s)·ε (CDM Sec. 4.2; Ho et al. 2020, eq. 4). */
export function noiseAugmentCoefficients(
  alphaBars: ArrayLike<number>,
  s: number,
): { signal: number; noise: number } {
  if (!(Number.isInteger(s) && s >= 0 && s < alphaBars.length)) {
    throw new RangeError(`augmentation level s must be an integer in [0, ${alphaBars.length - 1}]`);
  }
  const ab = alphaBars[s];
  return { signal: Math.sqrt(ab), noise: Math.sqrt(1 - ab) };
}

/** The timestep index s of a noise-augmentation level a ∈ [0, 1]: s = round(a·(T − 1)). */
export function augLevelIndex(a: number, T: number): number {
  if (!(Number.isFinite(a) && a >= 0 && a <= 1)) {
    throw new RangeError(`noise augmentation level must be in [0, 1] (got ${a})`);
  }
  return Math.round(a * (T - 1));
}

/**
 * Checks a training strength: noise, the largest level a_max ∈ (0, 1] (s_max = round(a_max(T−1)));
 * blur, σ_max ∈ (0, MAX_BLUR_SIGMA] in low-res pixels; none, exactly 0. Returns it.
 */
export function validateAugStrength(kind: AugmentationKind, strength: number): number {
  if (!AUGMENTATIONS.includes(kind)) {
    throw new RangeError(`augmentation must be one of ${AUGMENTATIONS.join(', ')} (got ${kind})`);
  }
  const finite = typeof strength === 'number' && Number.isFinite(strength);
  if (kind === 'none') {
    if (strength !== 0) throw new RangeError('augmentation "none" takes no strength (use 0)');
  } else if (kind === 'noise') {
    if (!(finite && strength > 0 && strength <= 1)) {
      throw new RangeError(`noise augmentation strength must be in (0, 1] (got ${strength})`);
    }
  } else if (!(finite && strength > 0 && strength <= MAX_BLUR_SIGMA)) {
    throw new RangeError(
      `blur augmentation strength σ_max must be in (0, ${MAX_BLUR_SIGMA}] (got ${strength})`,
    );
  }
  return strength;
}

/**
 * Checks a sampling-time level: noise a ∈ [0, 1]; blur σ ∈ [0, MAX_BLUR_SIGMA]; none, 0. Returns it.
 */
export function validateAugLevel(kind: AugmentationKind, level: number): number {
  const finite = typeof level === 'number' && Number.isFinite(level);
  if (kind === 'none') {
    if (level !== 0) {
      throw new RangeError('this super-resolution model was trained without augmentation: level 0');
    }
  } else if (kind === 'noise') {
    if (!(finite && level >= 0 && level <= 1)) {
      throw new RangeError(`noise augmentation level must be in [0, 1] (got ${level})`);
    }
  } else if (!(finite && level >= 0 && level <= MAX_BLUR_SIGMA)) {
    throw new RangeError(`blur σ must be in [0, ${MAX_BLUR_SIGMA}] (got ${level})`);
  }
  return level;
}

/**
 * The training draw of one example's augmentation from u ~ U[0, 1): noise, s = floor(u·(s_max + 1))
 * (uniform on {0, …, s_max}); blur, σ = u·σ_max; none, 0.
 */
export function trainingAugValue(
  kind: AugmentationKind,
  strength: number,
  T: number,
  u: number,
): number {
  if (kind === 'none') return 0;
  if (kind === 'blur') return u * strength;
  const sMax = augLevelIndex(strength, T);
  return Math.min(sMax, Math.floor(u * (sMax + 1)));
}
