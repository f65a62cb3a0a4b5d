// The forward SDEs as particles: data points diffusing under VP, sub-VP and VE (Euler–Maruyama,
// Song et al. 2021, eq. 9, 11, 12) at the view's noise level t, and score_sde's closed-form
// marginal mean and std (marginal_prob) as curves against t with the particles' measured values.
import { memo, useMemo } from 'react';
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
import {
  drawnPreset,
  Gaussian,
  makePreset,
  makeSde,
  sampleGmm,
  STREAM2D,
  streamSeed,
  SDE_KINDS,
  simulateForwardSde,
  VE_SIGMA_MIN,
  VP_BETA_MAX,
  VP_BETA_MIN,
  type ForwardRun,
  type SdeKind,
} from '../../diffusion/score2d';
import { ScorePlane } from '../components/ScorePlane';
import { Tex } from '../components/Tex';
import { useScore2d } from '../score2dStore';
import { usePlayground } from '../store';

const SDE_LABELS: Record<SdeKind, string> = { vp: 'VP', subvp: 'sub-VP', ve: 'VE' };
const COLORS: Record<SdeKind, string> = { vp: '#e8590c', subvp: '#2f9e44', ve: '#1c7ed6' };
/** Particles per SDE, Euler–Maruyama steps over [0, 1], paths drawn in full. */
const PARTICLES = 600;
const STEPS = 200;
const PATHS = 6;

type Runs = Record<SdeKind, ForwardRun>;

const MarginalChart = memo(function MarginalChart({
  sigmaMax,
  runs,
}: {
  sigmaMax: number;
  runs: Runs | null;
}) {
  const data = useMemo(() => {
    const p = { betaMin: VP_BETA_MIN, betaMax: VP_BETA_MAX, sigmaMin: VE_SIGMA_MIN, sigmaMax };
    return Array.from({ length: 51 }, (_, i) => {
      const t = i / 50;
      const row: Record<string, number> = { t };
      for (const kind of SDE_KINDS) {
        const m = makeSde(kind, p).marginal(t);
        const scale = kind === 've' ? sigmaMax : 1;
        if (kind === 'vp') row['VP mean a(t)'] = m.a;
        row[`${SDE_LABELS[kind]} std b(t)`] = m.b / scale;
        const k = Math.round(t * STEPS);
        if (runs && i % 5 === 0) {
          if (kind === 'vp') row['VP mean, particles'] = runs[kind].measuredMean[k];
          row[`${SDE_LABELS[kind]} std, particles`] = runs[kind].measuredStd[k] / scale;
        }
      }
      return row;
    });
  }, [sigmaMax, runs]);
  const curves: [string, string][] = [
    ['VP mean a(t)', '#495057'],
    ...SDE_KINDS.map((k): [string, string] => [`${SDE_LABELS[k]} std b(t)`, COLORS[k]]),
  ];
  const dots: [string, string][] = runs
    ? [
        ['VP mean, particles', '#495057'],
        ...SDE_KINDS.map((k): [string, string] => [`${SDE_LABELS[k]} std, particles`, COLORS[k]]),
      ]
    : [];
  return (
    <div className="chart-box score-chart" data-testid="marginal-chart">
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={data} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" opacity={0.4} />
          <XAxis dataKey="t" type="number" domain={[0, 1]} tickCount={6} />
          <YAxis width={48} domain={[0, 1.05]} />
          <Tooltip formatter={(v) => Number(v).toPrecision(4)} />
          <Legend />
          {curves.map(([k, c]) => (
            <Line key={k} dataKey={k} stroke={c} dot={false} isAnimationActive={false} />
          ))}
          {dots.map(([k, c]) => (
            <Line
              key={k}
              dataKey={k}
              stroke="none"
              dot={{ r: 3, fill: c, stroke: c }}
              legendType="circle"
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
});

// Memoised: it reads its own state, and the view re-renders on every sampler frame.
export const ScoreForwardPanel = memo(function ScoreForwardPanel() {
  const info = useScore2d((s) => s.info);
  const preset = useScore2d((s) => s.preset);
  const points = useScore2d((s) => s.drawnPoints);
  const level = useScore2d((s) => s.level);
  const seed = usePlayground((s) => s.seed);
  const runs = useMemo((): Runs | null => {
    if (!info) return null;
    if (preset === 'drawn' && points.length === 0) return null;
    const p = preset === 'drawn' ? drawnPreset(points) : makePreset(preset);
    // The seed's data stream, as the samplers' reference sample (score2dController.dataSample).
    const g = new Gaussian(streamSeed(seed, STREAM2D.data));
    const x0 = sampleGmm(
      p.gmm,
      PARTICLES,
      () => g.uniformDraw(),
      () => g.next(),
    );
    const params = {
      betaMin: VP_BETA_MIN,
      betaMax: VP_BETA_MAX,
      sigmaMin: VE_SIGMA_MIN,
      sigmaMax: info.sigmaMax,
    };
    const out = {} as Runs;
    SDE_KINDS.forEach((kind, i) => {
      out[kind] = simulateForwardSde(makeSde(kind, params), x0, STEPS, seed * 7 + i + 1);
    });
    return out;
  }, [info, preset, points, seed]);
  const k = Math.round(level * STEPS);
  const paths = useMemo(() => {
    if (!runs) return null;
    const out = {} as Record<SdeKind, Float32Array[]>;
    for (const kind of SDE_KINDS) {
      out[kind] = Array.from({ length: PATHS }, (_, j) => {
        const p = new Float32Array(2 * (k + 1));
        for (let i = 0; i <= k; i++) {
          p[2 * i] = runs[kind].snapshots[i][2 * j];
          p[2 * i + 1] = runs[kind].snapshots[i][2 * j + 1];
        }
        return p;
      });
    }
    return out;
  }, [runs, k]);
  const sigmaMax = info?.sigmaMax ?? 50;
  const params = { betaMin: VP_BETA_MIN, betaMax: VP_BETA_MAX, sigmaMin: VE_SIGMA_MIN, sigmaMax };
  return (
    <div className="panel">
      <h3>Forward SDEs: the data diffusing, t = {level.toFixed(3)}</h3>
      <Tex
        expr={`\\text{VP: } dx = -\\tfrac12\\beta(t)x\\,dt + \\sqrt{\\beta(t)}\\,dw;\\ \\text{sub-VP: } dx = -\\tfrac12\\beta(t)x\\,dt + \\sqrt{\\beta(t)(1-e^{-2\\int_0^t\\beta})}\\,dw;\\ \\text{VE: } dx = \\sqrt{\\tfrac{d\\sigma^2}{dt}}\\,dw`}
        display
      />
      <Tex
        expr={`x_t = a(t)\\,x_0 + b(t)\\,z:\\ \\text{VP } a = e^{-\\frac14 t^2(\\beta_{max}-\\beta_{min}) - \\frac12 t\\beta_{min}},\\ b = \\sqrt{1-a^2};\\ \\text{sub-VP } b = 1 - a^2;\\ \\text{VE } a = 1,\\ b = \\sigma_{min}(\\sigma_{max}/\\sigma_{min})^t`}
        display
      />
      <p>
        {PARTICLES} data points per SDE, moved by Euler–Maruyama in {STEPS} steps (Song et al. 2021,
        eq. 9, 11, 12; β_min = 0.1, β_max = 20, σ_min = 0.01, σ_max = {sigmaMax.toFixed(1)}); the
        noise level slider above sets t; {PATHS} paths are drawn in full. The curves are
        score_sde&apos;s marginal_prob (eq. 29), the dots the particles&apos; measured mean
        coefficient and std (VE&apos;s divided by σ_max). <strong>Look for:</strong> VP and sub-VP
        shrink the data to N(0, I) (sub-VP&apos;s std stays below VP&apos;s); VE keeps the mean and
        its particles fly off the square as its std grows to σ_max.
      </p>
      {runs && paths && (
        <div className="score-trio" data-testid="forward-particles">
          {SDE_KINDS.map((kind) => {
            const m = makeSde(kind, params).marginal(Math.max(level, 0));
            return (
              <figure key={kind}>
                <ScorePlane
                  extent={info?.extent ?? 9}
                  field={null}
                  showArrows={false}
                  particles={runs[kind].snapshots[k]}
                  paths={paths[kind]}
                  testId={`forward-${kind}`}
                  label={`${SDE_LABELS[kind]} SDE particles at t = ${level.toFixed(3)}`}
                />
                <figcaption>
                  {SDE_LABELS[kind]}: a = {m.a.toPrecision(3)} (measured{' '}
                  {runs[kind].measuredMean[k].toPrecision(3)}), b = {m.b.toPrecision(3)} (measured{' '}
                  {runs[kind].measuredStd[k].toPrecision(3)})
                </figcaption>
              </figure>
            );
          })}
        </div>
      )}
      <MarginalChart sigmaMax={sigmaMax} runs={runs} />
    </div>
  );
});
