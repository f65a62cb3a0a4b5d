// Schedules: linear (Ho et al. 2020) against cosine (Nichol & Dhariwal 2021, eq. 17), T adjustable,
// with a marker that follows the shared t slider.
import { useMemo } from 'react';
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
import { makeSchedule } from '../../diffusion/schedule';
import { Tex } from '../components/Tex';
import { TimestepSlider } from '../components/TimestepSlider';
import { decadeDomain, decadeTicks, formatDecade } from '../logTicks';
import { SERIES, chartPoints, thinnedIndices, type SeriesSpec } from '../scheduleSeries';
import { T_MAX, T_MIN, scheduleOptions, usePlayground } from '../store';
import type { Schedule } from '../../diffusion/schedule';

const MAX_POINTS = 400;
const COLORS = { linear: '#d9480f', cosine: '#1c7ed6' };

const fmt = (v: number): string =>
  Math.abs(v) >= 1e-3 || v === 0 ? v.toPrecision(6) : v.toExponential(4);

function ScheduleChart(props: { spec: SeriesSpec; linear: Schedule; cosine: Schedule; t: number }) {
  const { spec, linear, cosine, t } = props;
  const data = useMemo(
    () => chartPoints(spec, linear, cosine, thinnedIndices(linear.T, MAX_POINTS, t)),
    [spec, linear, cosine, t],
  );
  // A log axis spans whole decades with a tick at each power of ten.
  const decades = useMemo(
    () => (spec.logScale ? decadeDomain([...spec.values(linear), ...spec.values(cosine)]) : null),
    [spec, linear, cosine],
  );
  return (
    <figure className="chart" data-testid={`chart-${spec.key}`}>
      <figcaption>
        <strong>{spec.title}</strong>
      </figcaption>
      <div className="chart-box">
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={data} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" opacity={0.4} />
            <XAxis dataKey="t" type="number" domain={[0, linear.T - 1]} tickCount={6} />
            {decades ? (
              <YAxis
                width={64}
                scale="log"
                domain={decades}
                ticks={decadeTicks(decades)}
                allowDataOverflow={false}
                tickFormatter={formatDecade}
              />
            ) : (
              <YAxis width={64} tickFormatter={(v: number) => Number(v).toPrecision(2)} />
            )}
            <Tooltip
              formatter={(v) => fmt(Number(v))}
              labelFormatter={(label) => `t = ${String(label)}`}
            />
            <Legend />
            <Line
              type="monotone"
              dataKey="linear"
              stroke={COLORS.linear}
              dot={false}
              strokeWidth={2}
              isAnimationActive={false}
            />
            <Line
              type="monotone"
              dataKey="cosine"
              stroke={COLORS.cosine}
              dot={false}
              strokeWidth={2}
              isAnimationActive={false}
            />
            <ReferenceLine x={t} stroke="currentColor" strokeDasharray="4 2" />
          </LineChart>
        </ResponsiveContainer>
      </div>
      <p className="chart-note">{spec.explain(linear, cosine)}</p>
    </figure>
  );
}

export function SchedulesView() {
  const { T, t, setT, linearScaled, setLinearScaled } = usePlayground();
  const linear = useMemo(
    () => makeSchedule(scheduleOptions('linear', T, linearScaled)),
    [T, linearScaled],
  );
  const cosine = useMemo(() => makeSchedule({ kind: 'cosine', T }), [T]);
  return (
    <section className="view" aria-labelledby="schedules-title">
      <h2 id="schedules-title">Noise schedules: linear against cosine</h2>
      <div className="controls">
        <label>
          Steps T
          <input
            type="number"
            aria-label="Number of steps T"
            min={T_MIN}
            max={T_MAX}
            value={T}
            onChange={(e) => setT(Number(e.target.value))}
          />
        </label>
        <label className="checkbox advanced">
          <span>
            <input
              type="checkbox"
              checked={linearScaled}
              disabled={T <= 20}
              onChange={(e) => setLinearScaled(e.target.checked)}
            />{' '}
            Rescale linear β by 1000/T
          </span>
          <span className="muted">Improved DDPM; needs T &gt; 20</span>
        </label>
      </div>
      <TimestepSlider />
      <p className="muted" data-testid="t-convention">
        t counts from 0 as in the code: t = 0 is the first noising step, t = T − 1 the last, so ᾱ
        <sub>t</sub> = (1−β<sub>0</sub>)…(1−β<sub>t</sub>) after t + 1 steps. The formula, the table
        and the plots all use this t (the papers count steps from 1: their step t + 1).
      </p>
      <table className="values-table" aria-label="schedule values at t">
        <thead>
          <tr>
            <th scope="col">at t = {t}</th>
            {SERIES.map((s) => (
              <th scope="col" key={s.key}>
                <Tex expr={s.tex.split('=')[0]} />
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {(
            [
              ['linear', linear],
              ['cosine', cosine],
            ] as const
          ).map(([name, sched]) => (
            <tr key={name} data-testid={`values-${name}`}>
              <th scope="row" style={{ color: COLORS[name] }}>
                {name}
              </th>
              {SERIES.map((s) => (
                <td key={s.key}>{fmt(s.values(sched)[t])}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <div className="chart-grid">
        {SERIES.map((spec) => (
          <ScheduleChart key={spec.key} spec={spec} linear={linear} cosine={cosine} t={t} />
        ))}
      </div>
      <aside className="explain">
        <p>
          A schedule fixes how much noise each step adds. Ho et al. (2020) raise β<sub>t</sub>{' '}
          linearly from 10⁻⁴ to 0.02 over T = 1000 steps. Nichol &amp; Dhariwal (2021) noticed that
          with this choice the image is nearly destroyed long before the end, so many steps are
          wasted on pure noise. Their cosine schedule defines ᾱ<sub>t</sub> directly,{' '}
          <Tex
            expr={String.raw`\bar\alpha_t = \frac{f(t+1)}{f(0)},\; f(\tau) = \cos^2\!\Big(\frac{\tau/T + s}{1+s}\cdot\frac{\pi}{2}\Big),\; s = 0.008`}
          />{' '}
          (their f(t)/f(0) with their t = 1 … T, which is our t + 1), and derives β<sub>t</sub> = 1
          − ᾱ<sub>t</sub>/ᾱ<sub>t−1</sub> (ᾱ<sub>−1</sub> = 1), clipped at 0.999.
        </p>
        <p>
          The β range is tuned for T = 1000. With fewer steps the linear schedule no longer reaches
          pure noise (try T = 100: ᾱ ends near 0.36); Improved DDPM rescales its β range by 1000/T
          so that any T ends in noise.
        </p>
      </aside>
    </section>
  );
}
