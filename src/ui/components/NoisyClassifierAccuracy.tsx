// The noise-aware classifier's test accuracy per t-bucket, as measured after its training
// (models/<dataset>-noisy-classifier/model.json, `accuracyByT`): near the clean judge's at small t,
// falling to chance as t → T. It says how far its gradient can be trusted at each step.
import { useEffect, useState } from 'react';
import type { BucketAccuracy } from '../../worker/api';
import { getWorker } from '../workerClient';

export function NoisyClassifierAccuracy(props: { dataset: string; numClasses: number }) {
  const { dataset, numClasses } = props;
  const [rows, setRows] = useState<BucketAccuracy[] | null>(null);
  useEffect(() => {
    let alive = true;
    getWorker()
      .noisyClassifierAccuracy(dataset)
      .then((r) => alive && setRows(r))
      .catch(() => alive && setRows(null));
    return () => {
      alive = false;
    };
  }, [dataset]);
  if (!rows || rows.length === 0) return null;
  return (
    <table className="compact" data-testid="noisy-classifier-accuracy">
      <caption>
        The classifier’s test accuracy on noised digits x_t, per t (chance{' '}
        {(100 / numClasses).toFixed(0)}%)
      </caption>
      <thead>
        <tr>
          <th scope="col">t</th>
          {rows.map((r) => (
            <th scope="col" key={r.tFrom}>
              {r.tFrom}–{r.tTo - 1}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        <tr>
          <th scope="row">accuracy</th>
          {rows.map((r) => (
            <td key={r.tFrom}>{(100 * r.accuracy).toFixed(0)}%</td>
          ))}
        </tr>
      </tbody>
    </table>
  );
}
