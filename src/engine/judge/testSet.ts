// One pass of the judge over a labelled split: its accuracy (the number shipped in model.json)
// and the reference statistics (reference-stats.json) from the same features.
import type { Dataset } from '../../data/dataset';
import type { Classifier } from '../../model/classifier';
import { argmaxRows, classAccuracy } from '../../metrics/accuracy';
import { judgeDataset } from './outputs';
import { referenceStatsFrom } from './referenceStats';
import type { MeasuredAccuracy, ReferenceStats } from './types';

export interface TestSetMeasurement {
  accuracy: MeasuredAccuracy;
  reference: ReferenceStats;
}

export async function measureOnDataset(
  judge: Classifier,
  ds: Dataset,
  judgeWeightsCrc32: string,
  limit = ds.count,
): Promise<TestSetMeasurement> {
  const n = Math.min(limit, ds.count);
  const k = judge.config.numClasses;
  const out = await judgeDataset(judge, ds, n);
  const labels = ds.labels.subarray(0, n);
  const acc = classAccuracy(argmaxRows(out.logits, n, k), labels, k);
  return {
    accuracy: { overall: acc.overall, perClass: acc.perClass, count: n },
    reference: referenceStatsFrom(out, labels, k, {
      dataset: ds.name,
      split: ds.split,
      judgeWeightsCrc32,
    }),
  };
}
