// The third number of the guidance trade-off against the scale s: the samples' within-class
// diversity over the real digits' (1 = as varied as the data), one line per guidance method, on
// the same s axis as the accuracy and Fréchet-distance chart beside it.
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { TradeoffPoint } from '../evaluationFormat';
import { guidanceScaleAxis, type TradeoffComparison } from './TradeoffChart';

const COLORS = { own: '#7048e8', other: '#1c7ed6' };

export function DiversityChart({
  points,
  label,
  comparison = null,
}: {
  points: TradeoffPoint[];
  /** The method of `points`, e.g. 'classifier-free guidance'. */
  label: string;
  comparison?: TradeoffComparison | null;
}) {
  return (
    <figure className="chart tradeoff-chart" data-testid="diversity-chart">
      <figcaption>
        <strong>Diversity against the guidance scale s</strong>
      </figcaption>
      <div className="chart-box">
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={points} margin={{ top: 8, right: 8, bottom: 8, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" opacity={0.4} />
            <XAxis {...guidanceScaleAxis(points, comparison)} />
            <YAxis
              domain={[0, 'auto']}
              width={56}
              tickFormatter={(v: number) => Number(v).toFixed(1)}
            />
            <ReferenceLine y={1} strokeDasharray="2 2" label="real digits = 1" />
            <Tooltip
              formatter={(v) => Number(v).toFixed(2)}
              labelFormatter={(l) => `s = ${String(l)}`}
            />
            <Legend verticalAlign="top" />
            <Line
              name={`diversity, ${label}`}
              dataKey="diversity"
              stroke={COLORS.own}
              strokeWidth={2}
              isAnimationActive={false}
            />
            {comparison && (
              <Line
                name={`diversity, ${comparison.label}`}
                data={comparison.points}
                dataKey="diversity"
                stroke={COLORS.other}
                strokeWidth={2}
                isAnimationActive={false}
              />
            )}
          </LineChart>
        </ResponsiveContainer>
      </div>
      <p className="chart-note">
        Mean feature distance between two samples of the same digit over the same for real digits:
        below 1 the samples look alike, above 1 they are more scattered than real digits (often
        malformed).
      </p>
    </figure>
  );
}
