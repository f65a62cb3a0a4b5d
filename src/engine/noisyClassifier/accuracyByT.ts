// The noisy classifier's test accuracy per timestep bucket: each test image is noised with
// q(x_t | x_0) at a t drawn uniformly inside the bucket, then classified. Near the clean
// classifier's accuracy at small t; towards chance (1/K) as t → T, where x_t is almost pure noise.
import * as tf from '@tensorflow/tfjs';
import { sampleBatch, type Dataset } from '../../data/dataset';
import { qSample } from '../../diffusion/forward';
import type { Schedule } from '../../diffusion/schedule';
import type { NoisyClassifier } from '../../model/noisyClassifier';
import { deriveSeed, mulberry32, randInt, STREAM } from '../../random/seeded';
import type { BucketAccuracy } from './types';

/** [from, to) timestep ranges of `buckets` equal buckets over [0, T). */
export function timestepBuckets(T: number, buckets: number): [number, number][] {
  if (!Number.isInteger(buckets) || buckets < 1 || buckets > T) {
    throw new RangeError(`buckets must be an integer in [1, ${T}], got ${buckets}`);
  }
  return Array.from({ length: buckets }, (_, b) => [
    Math.round((b * T) / buckets),
    Math.round(((b + 1) * T) / buckets),
  ]);
}

export interface AccuracyByTOptions {
  buckets: number;
  /** Test images per bucket (default all). */
  limit?: number;
  batchSize?: number;
  seed?: number;
}

export async function accuracyByTimestep(
  classifier: NoisyClassifier,
  data: Dataset,
  schedule: Schedule,
  opts: AccuracyByTOptions,
): Promise<BucketAccuracy[]> {
  const n = Math.min(opts.limit ?? data.count, data.count);
  const batch = opts.batchSize ?? 250;
  const seed = opts.seed ?? 12345;
  const k = classifier.config.numClasses;
  const out: BucketAccuracy[] = [];
  for (const [b, [from, to]] of timestepBuckets(schedule.T, opts.buckets).entries()) {
    const rand = mulberry32(deriveSeed(seed, STREAM.batch, b));
    let hits = 0;
    for (let start = 0; start < n; start += batch) {
      const m = Math.min(batch, n - start);
      const idx = Uint32Array.from({ length: m }, (_, i) => start + i);
      const { images, labels, shape } = sampleBatch(data, idx);
      const ts = Int32Array.from({ length: m }, () => from + randInt(rand, to - from));
      const pred = tf.tidy(() => {
        const x0 = tf.tensor4d(images, shape);
        const t = tf.tensor1d(ts, 'int32');
        const eps = tf.randomNormal(
          shape,
          0,
          1,
          'float32',
          deriveSeed(seed, STREAM.noise, b * 1e6 + start),
        );
        return tf.argMax(classifier.logits(qSample(x0, t, eps as tf.Tensor4D, schedule), t), 1);
      });
      const p = await pred.data();
      pred.dispose();
      for (let i = 0; i < m; i++) if (p[i] === labels[i]) hits++;
    }
    out.push({ tFrom: from, tTo: to, accuracy: hits / n, count: n });
  }
  void k;
  return out;
}
