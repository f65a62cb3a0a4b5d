// Runs a data set through the autoencoder: the latent means μ = E(x) of every image (LDM
// encodes with the posterior's mode when it builds the diffusion's training data) and the
// per-pixel squared error of their reconstructions D(μ), batched, one readback per batch.
import * as tf from '@tensorflow/tfjs';
import { sampleBatch, type Dataset } from '../../data/dataset';
import { latentShape, type Autoencoder } from '../../model/autoencoder';

export interface EncodedDataset {
  /** count × (s/4)² × zc latent means, NHWC. */
  latents: Float32Array;
  /** Per-pixel mean squared error of D(μ) against x, model range [-1, 1]; null when skipped. */
  mse: number | null;
  count: number;
}

export interface EncodeOptions {
  batch?: number;
  /** Encode only the first `limit` images. */
  limit?: number;
  /** Also decode and measure the reconstruction error (default true; false halves the cost). */
  reconstruct?: boolean;
  onProgress?: (done: number, total: number) => void | Promise<void>;
}

export async function encodeDataset(
  ae: Autoencoder,
  ds: Dataset,
  opts: EncodeOptions = {},
): Promise<EncodedDataset> {
  const batch = opts.batch ?? 128;
  const reconstruct = opts.reconstruct ?? true;
  const count = Math.min(ds.count, opts.limit ?? ds.count);
  if (count < 1) throw new RangeError('no images to encode');
  const perLatent = latentShape(ae.config).reduce((a, b) => a * b, 1);
  const perImage = ds.height * ds.width * ds.channels;
  const latents = new Float32Array(count * perLatent);
  let squared = 0;
  for (let start = 0; start < count; start += batch) {
    const n = Math.min(batch, count - start);
    const indices = Uint32Array.from({ length: n }, (_, i) => start + i);
    const { images, shape } = sampleBatch(ds, indices);
    const [mean, err] = tf.tidy(() => {
      const x = tf.tensor4d(images, shape);
      const q = ae.encode(x);
      if (!reconstruct) return [q.mean, null];
      return [q.mean, tf.sum(tf.squaredDifference(x, ae.decode(q.mean)))];
    });
    try {
      latents.set((await mean.data()) as Float32Array, start * perLatent);
      if (err) squared += (await err.data())[0];
    } finally {
      tf.dispose(err ? [mean, err] : [mean]);
    }
    await opts.onProgress?.(start + n, count);
  }
  return { latents, mse: reconstruct ? squared / (count * perImage) : null, count };
}

/** A Dataset whose examples are the given (scaled) latents, with the source's labels. */
export function latentDataset(
  source: Dataset,
  latents: Float32Array,
  shape: readonly [number, number, number],
): Dataset {
  const per = shape[0] * shape[1] * shape[2];
  const count = latents.length / per;
  if (!Number.isInteger(count) || count > source.count) {
    throw new RangeError(`${latents.length} latent values do not make whole latents of ${per}`);
  }
  return {
    name: source.name,
    split: source.split,
    height: shape[0],
    width: shape[1],
    channels: shape[2],
    classNames: source.classNames,
    count,
    images: new Uint8Array(0),
    labels: source.labels.subarray(0, count),
    floats: latents,
  };
}
