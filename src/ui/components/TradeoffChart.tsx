// The guidance trade-off as a chart: the judge's accuracy (left axis, per cent) and the Fréchet
// distance to real digits (right axis) against the guidance scale s.
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { TradeoffPoint } from '../evaluationFormat';

const COLORS = { accuracy: '#2f9e44', fd: '#d9480f', other: '#1c7ed6' };

export interface TradeoffComparison {
  /** e.g. 'classifier guidance': the other method's curve, same seeds and model. */
  label: string;
  points: TradeoffPoint[];
}

/** The s axis both guidance charts share: a tick at every scale measured, from 0. */
export function guidanceScaleAxis(points: TradeoffPoint[], comparison: TradeoffComparison | null) {
  const all = [...points, ...(comparison?.points ?? [])];
  const maxS = all.reduce((m, p) => Math.max(m, p.s), 1);
  return {
    dataKey: 's',
    type: 'number' as const,
    domain: [0, Math.max(1, maxS)],
    ticks: [...new Set(all.map((p) => p.s))].sort((a, b) => a - b),
    label: { value: 'guidance scale s', position: 'insideBottom' as const, offset: -4 },
  };
}

export function TradeoffChart({
  points,
  comparison = null,
}: {
  points: TradeoffPoint[];
  comparison?: TradeoffComparison | null;
}) {
  return (
    <figure className="chart tradeoff-chart" data-testid="tradeoff-chart">
      <figcaption>
        <strong>Accuracy and Fréchet distance against the guidance scale s</strong>
      </figcaption>
      <div className="chart-box">
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={points} margin={{ top: 8, right: 8, bottom: 8, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" opacity={0.4} />
            <XAxis {...guidanceScaleAxis(points, comparison)} />
            <YAxis
              yAxisId="accuracy"
              domain={[0, 100]}
              width={56}
              tickFormatter={(v: number) => `${v}%`}
              stroke={COLORS.accuracy}
            />
            <YAxis
              yAxisId="fd"
              orientation="right"
              domain={[0, 'auto']}
              width={56}
              tickFormatter={(v: number) => Number(v).toPrecision(3)}
              stroke={COLORS.fd}
            />
            <Tooltip
              formatter={(v, name) =>
                name === 'accuracy' ? `${Number(v).toFixed(1)}%` : Number(v).toFixed(2)
              }
              labelFormatter={(label) => `s = ${String(label)}`}
            />
            <Legend verticalAlign="top" />
            <Line
              yAxisId="accuracy"
              name="accuracy"
              dataKey="accuracy"
              stroke={COLORS.accuracy}
              strokeWidth={2}
              isAnimationActive={false}
            />
            <Line
              yAxisId="fd"
              name="Fréchet distance"
              dataKey="fd"
              stroke={COLORS.fd}
              strokeWidth={2}
              strokeDasharray="6 3"
              isAnimationActive={false}
            />
            {comparison && (
              <Line
                yAxisId="accuracy"
                name={`accuracy, ${comparison.label}`}
                data={comparison.points}
                dataKey="accuracy"
                stroke={COLORS.other}
                strokeWidth={2}
                isAnimationActive={false}
              />
            )}
            {comparison && (
              <Line
                yAxisId="fd"
                name={`Fréchet distance, ${comparison.label}`}
                data={comparison.points}
                dataKey="fd"
                stroke={COLORS.other}
                strokeWidth={2}
                strokeDasharray="6 3"
                isAnimationActive={false}
              />
            )}
          </LineChart>
        </ResponsiveContainer>
      </div>
      <p className="chart-note">
        Accuracy (solid, left axis: higher is more often the digit asked for) and Fréchet distance
        (dashed, right axis: lower is closer to real digits) at each scale of the run.
        {comparison &&
          ` Blue: ${comparison.label} (same model, noise and classes); its s is that method's own scale.`}
      </p>
    </figure>
  );
}
