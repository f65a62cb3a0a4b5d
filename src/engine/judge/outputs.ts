// The judge over many images, in batches, with one readback per batch: logits and features as
// plain arrays, for accuracy, the Fréchet distance and diversity.
import * as tf from '@tensorflow/tfjs';
import { sampleBatch, type Dataset } from '../../data/dataset';
import type { Classifier } from '../../model/classifier';

export interface JudgeOutputs {
  n: number;
  /** [n * numClasses] */
  logits: Float32Array;
  /** [n * featureDim] */
  features: Float32Array;
}

export const DEFAULT_JUDGE_BATCH = 250;

/** Runs the judge on n NHWC images in [−1, 1] (x holds n * H * W * C values). */
export async function judgeImages(
  judge: Classifier,
  x: Float32Array,
  n: number,
  batch = DEFAULT_JUDGE_BATCH,
): Promise<JudgeOutputs> {
  return judgeBatches(judge, n, batch, (start, count) => {
    const per = x.length / n;
    return x.subarray(start * per, (start + count) * per);
  });
}

/** Runs the judge on the first n images (default all) of a data set. */
export async function judgeDataset(
  judge: Classifier,
  ds: Dataset,
  n = ds.count,
  batch = DEFAULT_JUDGE_BATCH,
): Promise<JudgeOutputs> {
  return judgeBatches(judge, n, batch, (start, count) => {
    const indices = Array.from({ length: count }, (_, i) => start + i);
    return sampleBatch(ds, indices).images;
  });
}

async function judgeBatches(
  judge: Classifier,
  n: number,
  batch: number,
  images: (start: number, count: number) => Float32Array,
): Promise<JudgeOutputs> {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`n must be an integer >= 1 (got ${n})`);
  if (!Number.isInteger(batch) || batch < 1) {
    throw new RangeError(`batch must be an integer >= 1 (got ${batch})`);
  }
  const { imageSize: s, inChannels: c, numClasses: k, featureDim: d } = judge.config;
  const perImage = s * s * c;
  const logits = new Float32Array(n * k);
  const features = new Float32Array(n * d);
  for (let start = 0; start < n; start += batch) {
    const count = Math.min(batch, n - start);
    const x = images(start, count);
    if (x.length !== count * perImage) {
      throw new RangeError(
        `judge: expected ${count} images of ${s}x${s}x${c}, got ${x.length} values`,
      );
    }
    // [logits | features] per row, read back in one transfer.
    const joined = tf.tidy(() => {
      const out = judge.apply(tf.tensor4d(x, [count, s, s, c]));
      return tf.concat([out.logits, out.features], 1);
    });
    let values: Float32Array;
    try {
      values = (await joined.data()) as Float32Array;
    } finally {
      joined.dispose();
    }
    for (let i = 0; i < count; i++) {
      const row = values.subarray(i * (k + d), (i + 1) * (k + d));
      logits.set(row.subarray(0, k), (start + i) * k);
      features.set(row.subarray(k), (start + i) * d);
    }
  }
  return { n, logits, features };
}
