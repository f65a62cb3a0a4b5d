// Histogram of x_t's pixel values with the N(0, 1) density drawn over it.
import { useMemo } from 'react';
import {
  Bar,
  CartesianGrid,
  ComposedChart,
  Line,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { histogram, meanAndStd } from '../histogram';

export function PixelHistogram({ values, t }: { values: Float32Array | null; t: number }) {
  const bins = useMemo(() => (values ? histogram(values) : []), [values]);
  const stats = useMemo(() => (values ? meanAndStd(values) : null), [values]);
  return (
    <figure className="chart histogram" data-testid="xt-histogram">
      <figcaption>
        <strong>Pixels of x_t at t = {t}</strong> against N(0, 1)
        {stats && (
          <span className="muted" data-testid="xt-stats">
            {' '}
            — mean {stats.mean.toFixed(3)}, std {stats.std.toFixed(3)}
          </span>
        )}
      </figcaption>
      <div className="chart-box">
        <ResponsiveContainer width="100%" height="100%">
          <ComposedChart data={bins} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" opacity={0.4} />
            <XAxis
              dataKey="x"
              type="number"
              domain={[-4, 4]}
              ticks={[-4, -3, -2, -1, 0, 1, 2, 3, 4]}
            />
            <YAxis width={48} tickFormatter={(v: number) => Number(v).toFixed(1)} />
            <Tooltip
              formatter={(v) => Number(v).toFixed(3)}
              labelFormatter={(x) => `pixel value ≈ ${Number(x).toFixed(2)}`}
            />
            <Bar dataKey="density" name="x_t pixels" fill="#1c7ed6" isAnimationActive={false} />
            <Line
              dataKey="normal"
              name="N(0, 1)"
              stroke="#d9480f"
              dot={false}
              strokeWidth={2}
              isAnimationActive={false}
            />
          </ComposedChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}
