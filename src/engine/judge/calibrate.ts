// The batch norms' population statistics, measured after training with the final weights
// ("precise BN", Wu & Johnson 2021, §4) instead of a running average of the changing weights'
// batch statistics: the forward pass runs on batch statistics, as in training, and each layer's
// population mean and variance are pooled over the batches,
//   μ = mean_b μ_b,   σ² = mean_b (σ²_b + μ_b²) − μ²   (equal batch sizes weighted by size).
import * as tf from '@tensorflow/tfjs';
import { sampleBatch, type Dataset } from '../../data/dataset';
import { isStatisticName, type Classifier } from '../../model/classifier';

export interface CalibrationOptions {
  /** Images to pool over: the first `count` of `data`. */
  count: number;
  batchSize: number;
}

/** Layers calibrated; 0 when the classifier has no batch norm (nothing changes then). */
export async function calibrateBatchNorm(
  classifier: Classifier,
  data: Dataset,
  { count, batchSize }: CalibrationOptions,
): Promise<number> {
  const names = [...classifier.params.keys()].filter(isStatisticName);
  if (names.length === 0) return 0;
  const n = Math.min(count, data.count);
  if (n < 2 || !(batchSize >= 2)) throw new RangeError('calibration needs >= 2 images per batch');
  const sums = new Map<string, { mean: Float64Array; second: Float64Array }>();
  for (let start = 0; start < n; start += batchSize) {
    const b = Math.min(batchSize, n - start);
    if (b < 2) break; // a 1-image batch has no spread over N; its positions are still many, but skip it
    const indices = Uint32Array.from({ length: b }, (_, i) => start + i);
    const { images, shape } = sampleBatch(data, indices);
    const moments: { layer: string; mean: tf.Tensor1D; variance: tf.Tensor1D }[] = [];
    tf.tidy(() => {
      classifier.apply(tf.tensor4d(images, shape), {
        batchStatistics: true,
        onBatchMoments: (layer, mean, variance) => moments.push({ layer, mean, variance }),
      });
    });
    try {
      for (const { layer, mean, variance } of moments) {
        const [m, v] = await Promise.all([mean.data(), variance.data()]);
        let acc = sums.get(layer);
        if (!acc) {
          acc = { mean: new Float64Array(m.length), second: new Float64Array(m.length) };
          sums.set(layer, acc);
        }
        for (let c = 0; c < m.length; c++) {
          acc.mean[c] += b * m[c];
          acc.second[c] += b * (v[c] + m[c] * m[c]);
        }
      }
    } finally {
      tf.dispose(moments.flatMap((x) => [x.mean, x.variance]));
    }
  }
  let total = 0;
  for (let start = 0; start < n; start += batchSize) {
    const b = Math.min(batchSize, n - start);
    if (b >= 2) total += b;
  }
  for (const [layer, acc] of sums) {
    const mean = Float32Array.from(acc.mean, (s) => s / total);
    const variance = Float32Array.from(acc.second, (s, c) =>
      Math.max(0, s / total - (acc.mean[c] / total) ** 2),
    );
    const meanVar = classifier.params.get(`${layer}.mean`);
    const varVar = classifier.params.get(`${layer}.variance`);
    if (!meanVar || !varVar) throw new Error(`internal: no statistics for ${layer}`);
    tf.tidy(() => {
      meanVar.assign(tf.tensor1d(mean));
      varVar.assign(tf.tensor1d(variance));
    });
  }
  return sums.size;
}
