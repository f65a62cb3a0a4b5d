// Composes each step's training batch on the CPU side, in plain JS: which images (an epoch-wise
// shuffle), their timesteps t ~ Uniform{0..T-1} (Ho et al. 2020, Alg. 1 line 3), label dropout
// (Ho & Salimans 2022, Alg. 1: with probability pUncond the label becomes the null class, so one
// network learns both the conditional and the unconditional model) and random horizontal flips
// (DDPM flips CIFAR-10; digits must not be flipped). The Gaussian noise is drawn on the tfjs side.
import { sampleBatch, type Dataset } from '../../data/dataset';
import { deriveSeed, mulberry32, randInt, STREAM } from '../../random/seeded';

export interface BatchOptions {
  batchSize: number;
  /** Number of diffusion steps of the schedule. */
  T: number;
  /** The model's number of classes; 0 = unconditional (no labels are produced). */
  numClasses: number;
  /** Probability that a label is replaced by the null class `numClasses`. */
  pUncond: number;
  randomFlip: boolean;
  seed: number;
}

export interface TrainingBatch {
  /** NHWC floats in [-1, 1]. */
  x: Float32Array;
  shape: [number, number, number, number];
  /** Timestep indices in [0, T). */
  t: Int32Array;
  /** Labels after dropout (numClasses = null class); null for an unconditional model. */
  labels: Int32Array | null;
  /** Which data-set images were used. */
  indices: Uint32Array;
  /** Which examples were flipped. */
  flipped: Uint8Array;
}

/** Reverses every row of the given NHWC images in place (keeps the channel order). */
export function flipHorizontally(
  x: Float32Array,
  [, h, w, c]: readonly number[],
  which: ArrayLike<number>,
): void {
  for (let b = 0; b < which.length; b++) {
    if (!which[b]) continue;
    for (let row = 0; row < h; row++) {
      const base = (b * h + row) * w * c;
      for (let lo = 0, hi = w - 1; lo < hi; lo++, hi--) {
        for (let k = 0; k < c; k++) {
          const i = base + lo * c + k;
          const j = base + hi * c + k;
          const tmp = x[i];
          x[i] = x[j];
          x[j] = tmp;
        }
      }
    }
  }
}

/**
 * Step s uses positions s*B .. s*B+B-1 of an endless sequence of epochs, each a fresh seeded
 * permutation of the data set, so every image is seen once per epoch and batch s is a pure
 * function of (seed, s): resuming at step s continues exactly where the run stopped.
 */
export class BatchSampler {
  private readonly perms = new Map<number, Uint32Array>();

  constructor(
    private readonly ds: Dataset,
    readonly options: BatchOptions,
  ) {
    const { batchSize, T, pUncond, numClasses } = options;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new RangeError(`batchSize must be a positive integer (got ${batchSize})`);
    }
    if (!Number.isInteger(T) || T < 2) throw new RangeError(`T must be an integer >= 2 (got ${T})`);
    if (!(pUncond >= 0 && pUncond <= 1)) {
      throw new RangeError(`pUncond must be in [0, 1] (got ${pUncond})`);
    }
    if (ds.count < 1) throw new RangeError('the data set is empty');
    if (numClasses > 0 && ds.classNames.length > numClasses) {
      throw new RangeError(
        `the data set has ${ds.classNames.length} classes but the model only ${numClasses}`,
      );
    }
  }

  private permutation(epoch: number): Uint32Array {
    let perm = this.perms.get(epoch);
    if (!perm) {
      perm = new Uint32Array(this.ds.count);
      for (let i = 0; i < perm.length; i++) perm[i] = i;
      const rand = mulberry32(deriveSeed(this.options.seed, STREAM.epoch, epoch));
      for (let i = perm.length - 1; i > 0; i--) {
        const j = randInt(rand, i + 1);
        const tmp = perm[i];
        perm[i] = perm[j];
        perm[j] = tmp;
      }
      // A batch spans at most two epochs (when B <= count); keep only those.
      if (this.perms.size >= 2) this.perms.delete(Math.min(...this.perms.keys()));
      this.perms.set(epoch, perm);
    }
    return perm;
  }

  /** The data-set indices of step s's batch. */
  indicesAt(step: number): Uint32Array {
    const { batchSize } = this.options;
    const n = this.ds.count;
    const out = new Uint32Array(batchSize);
    for (let b = 0; b < batchSize; b++) {
      const pos = step * batchSize + b;
      out[b] = this.permutation(Math.floor(pos / n))[pos % n];
    }
    return out;
  }

  /** Batch of step s (0-based). Deterministic in (seed, s). */
  batch(step: number): TrainingBatch {
    if (!Number.isSafeInteger(step) || step < 0) {
      throw new RangeError(`step must be a non-negative integer (got ${step})`);
    }
    const { batchSize: B, T, numClasses, pUncond, randomFlip, seed } = this.options;
    const indices = this.indicesAt(step);
    const { images, labels: rawLabels, shape } = sampleBatch(this.ds, indices);
    const rand = mulberry32(deriveSeed(seed, STREAM.batch, step));
    const t = new Int32Array(B);
    for (let b = 0; b < B; b++) t[b] = randInt(rand, T);
    let labels: Int32Array | null = null;
    if (numClasses > 0) {
      labels = new Int32Array(B);
      for (let b = 0; b < B; b++) labels[b] = rand() < pUncond ? numClasses : rawLabels[b];
    }
    const flipped = new Uint8Array(B);
    if (randomFlip) {
      for (let b = 0; b < B; b++) flipped[b] = rand() < 0.5 ? 1 : 0;
      flipHorizontally(images, shape, flipped);
    }
    return { x: images, shape, t, labels, indices, flipped };
  }
}
