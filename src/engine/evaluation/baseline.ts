// The real data's within-class diversity, the denominator of the diversity ratio. The shipped
// judge stores it in reference-stats.json (computed over the whole test split at training time);
// this recomputes it for any judge and labelled data set.
import type { Dataset } from '../../data/dataset';
import type { Classifier } from '../../model/classifier';
import { perClassPairwiseDistance } from '../../metrics/diversity';
import { judgeDataset } from '../judge/outputs';

/** Mean pairwise L2 distance of judge features within each class of (the first n images of) ds. */
export async function realDiversityBaseline(
  judge: Classifier,
  ds: Dataset,
  n = ds.count,
): Promise<(number | null)[]> {
  const count = Math.min(n, ds.count);
  const out = await judgeDataset(judge, ds, count);
  const { featureDim, numClasses } = judge.config;
  return perClassPairwiseDistance(
    out.features,
    featureDim,
    ds.labels.subarray(0, count),
    numClasses,
  );
}
