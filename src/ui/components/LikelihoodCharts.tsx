// The Likelihood view's charts: each evaluated term L_{t−1} against t (log–log), and the ELBO
// weights w_t of the linear and cosine schedules that L_simple replaces by 1.
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Scatter,
  ComposedChart,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { TermPoint, WeightPoint } from '../likelihoodFormat';

/** Powers of ten in [lo, hi], for log axes. */
export function decadeTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  if (!(lo > 0 && hi >= lo)) return out;
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) out.push(10 ** e);
  return out;
}

/** Props of a log t axis from `from` to T with ticks at powers of ten. */
function logTAxis(from: number, T: number) {
  return {
    dataKey: 't',
    type: 'number' as const,
    scale: 'log' as const,
    domain: [from, T],
    ticks: decadeTicks(from, T).filter((v) => v >= from && v <= T),
    tickFormatter: sci,
    allowDataOverflow: true,
    label: { value: 't', position: 'insideBottom' as const, offset: -12 },
  };
}

const sci = (v: number) =>
  v >= 0.01 && v < 1e4 ? String(Number(v.toPrecision(3))) : v.toExponential(0);

export function TermsChart({ points, T }: { points: TermPoint[]; T: number }) {
  const ys = points.flatMap((p) => [p.mean, p.chosen]).filter((v) => v > 0);
  const lo = ys.length ? Math.min(...ys) : 1e-4;
  const hi = ys.length ? Math.max(...ys) : 1;
  const yTicks = decadeTicks(lo, hi);
  return (
    <figure className="chart" data-testid="likelihood-terms-chart">
      <figcaption>
        <strong>
          L<sub>t−1</sub> in bits/dim against t
        </strong>{' '}
        (both axes log; t = 1 is L<sub>0</sub>, the decoder)
      </figcaption>
      <div className="chart-box">
        <ResponsiveContainer width="100%" height="100%">
          <ComposedChart data={points} margin={{ top: 8, right: 16, bottom: 20, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" opacity={0.4} />
            <XAxis {...logTAxis(1, T)} />
            <YAxis
              type="number"
              scale="log"
              domain={[yTicks[0] ?? 'auto', yTicks.at(-1) ?? 'auto']}
              ticks={yTicks}
              tickFormatter={sci}
              width={64}
              allowDataOverflow
            />
            <Tooltip
              formatter={(v) => `${Number(v).toExponential(3)} bits/dim`}
              labelFormatter={(l) => `t = ${String(l)}`}
            />
            <Legend verticalAlign="top" />
            <Scatter
              name="mean over the batch"
              dataKey="mean"
              fill="#1c7ed6"
              isAnimationActive={false}
            />
            <Scatter
              name="the chosen image"
              dataKey="chosen"
              fill="#e8590c"
              shape="diamond"
              isAnimationActive={false}
            />
          </ComposedChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}

export function WeightsChart({ points, variance }: { points: WeightPoint[]; variance: string }) {
  const ys = points.flatMap((p) => [p.linear, p.cosine]).filter((v) => v > 0 && Number.isFinite(v));
  const yTicks = decadeTicks(Math.min(...ys), Math.max(...ys));
  const T = points.at(-1)?.t ?? 1000;
  return (
    <figure className="chart" data-testid="likelihood-weights-chart">
      <figcaption>
        <strong>
          The ELBO&apos;s weight w<sub>t</sub> on ‖ε − ε<sub>θ</sub>‖², σ<sub>t</sub>² = {variance}
        </strong>{' '}
        (L<sub>simple</sub> uses 1 for every t; both axes log)
      </figcaption>
      <div className="chart-box">
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={points} margin={{ top: 8, right: 16, bottom: 20, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" opacity={0.4} />
            <XAxis {...logTAxis(2, T)} />
            <YAxis
              type="number"
              scale="log"
              domain={[yTicks[0], yTicks.at(-1) ?? 1]}
              ticks={yTicks}
              tickFormatter={sci}
              width={64}
              allowDataOverflow
            />
            <Tooltip
              formatter={(v) => Number(v).toExponential(3)}
              labelFormatter={(l) => `t = ${String(l)}`}
            />
            <Legend verticalAlign="top" />
            <Line
              name="linear"
              dataKey="linear"
              stroke="#1c7ed6"
              dot={false}
              strokeWidth={2}
              isAnimationActive={false}
            />
            <Line
              name="cosine"
              dataKey="cosine"
              stroke="#d9480f"
              dot={false}
              strokeWidth={2}
              strokeDasharray="6 3"
              isAnimationActive={false}
            />
          </LineChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}

/** Σ_{s ≤ t} of the mean terms against t: where the bound's bits come from. */
export function CumulativeChart({
  points,
  total,
}: {
  points: { t: number; sum: number }[];
  total: number;
}) {
  const T = points.at(-1)?.t ?? 1000;
  const data = points.map((p) => ({ t: p.t, share: (100 * p.sum) / total }));
  return (
    <figure className="chart" data-testid="likelihood-cumulative-chart">
      <figcaption>
        <strong>Share of the bound from the first t steps</strong> (Σ<sub>s≤t</sub> L<sub>s−1</sub>{' '}
        ÷ total, mean over the batch; t on a log axis)
      </figcaption>
      <div className="chart-box">
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={data} margin={{ top: 8, right: 16, bottom: 20, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" opacity={0.4} />
            <XAxis {...logTAxis(1, T)} />
            <YAxis
              domain={[0, 100]}
              ticks={[0, 25, 50, 75, 100]}
              tickFormatter={(v: number) => `${v}%`}
              width={56}
            />
            <Tooltip
              formatter={(v) => `${Number(v).toFixed(1)}%`}
              labelFormatter={(l) => `t ≤ ${String(l)}`}
            />
            <Line
              dataKey="share"
              name="share of the bound"
              stroke="#2f9e44"
              dot={false}
              strokeWidth={2}
              isAnimationActive={false}
            />
          </LineChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}
