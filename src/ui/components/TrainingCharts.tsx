// The training view's live charts: the loss curve (raw and smoothed) and the loss by t-bucket.
import { memo, useMemo } from 'react';
import type { LossPoint } from '../trainingStore';
import { LiveChart, type LiveSeries } from './LiveChart';

const LOSS_SERIES: LiveSeries[] = [
  { label: 'per step', color: '#8fa3b8' },
  { label: 'smoothed', color: '#d9480f', width: 2.5 },
];
const BUCKET_SERIES: LiveSeries[] = [{ label: 'loss', color: '#1c7ed6', bars: true }];

/** `weighted`: the loss is min-SNR-γ weighted (components/LossWeighting.tsx), and says so. */
export const LossChart = memo(function LossChart({
  points,
  weighted,
}: {
  points: LossPoint[];
  weighted: boolean;
}) {
  const x = useMemo(() => points.map((p) => p.step), [points]);
  const ys = useMemo(() => [points.map((p) => p.loss), points.map((p) => p.smoothed)], [points]);
  return (
    <figure className="chart" data-testid="loss-chart" data-points={points.length}>
      <figcaption>
        <strong>Loss</strong> per step and smoothed (log axis)
      </figcaption>
      <LiveChart x={x} ys={ys} series={LOSS_SERIES} xLabel="step" yLabel="loss" logY />
      <p className="chart-note">
        {weighted
          ? 'w_t · (1/D)‖ε − ε_θ(x_t, t)‖² with min-SNR-γ weights w_t (Hang et al. 2023, below), '
          : '(1/D)‖ε − ε_θ(x_t, t)‖², '}
        the mean over the D pixel values of each image and over the batch
        {weighted ? '.' : ' (L_simple, Ho et al. 2020, eq. 14).'}
      </p>
    </figure>
  );
});

export const BucketChart = memo(function BucketChart({
  buckets,
  T,
  weighted,
}: {
  buckets: (number | null)[];
  T: number;
  weighted: boolean;
}) {
  const width = T / Math.max(1, buckets.length);
  // Bars at the centre of each bucket of t.
  const x = useMemo(() => buckets.map((_, i) => Math.round((i + 0.5) * width)), [buckets, width]);
  const ys = useMemo(() => [buckets], [buckets]);
  return (
    <figure
      className="chart"
      data-testid="bucket-chart"
      data-filled={buckets.filter((b) => b !== null).length}
    >
      <figcaption>
        <strong>Loss by timestep</strong> (per-pixel mean{weighted ? ', min-SNR-weighted' : ''},{' '}
        {buckets.length} buckets of t, running average)
      </figcaption>
      <LiveChart x={x} ys={ys} series={BUCKET_SERIES} xLabel="t" yLabel="loss" />
      <p className="chart-note">
        {buckets.length} buckets of t from 0 to {T - 1}: small t (hard to tell noise from image)
        stays high.
      </p>
    </figure>
  );
});
