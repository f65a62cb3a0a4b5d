// Improved DDPM's learned variance, shown: Σ_θ = exp(v·log β_t + (1 − v)·log β̃_t) (Nichol &
// Dhariwal 2021, eq. 15) of the model in use against the two fixed choices β_t and β̃_t, per t
// on log axes, with its spread over pixels as a band and the formula's numbers at the shared t.
import { useEffect } from 'react';
import {
  Area,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { useShallow } from 'zustand/react/shallow';
import { measureSigmaProfile, sigmaModelKey } from '../sigmaProfileActions';
import { nearestIndex, sigmaFormulaNumbers, sigmaPoints } from '../sigmaProfileFormat';
import { useSigmaProfile } from '../sigmaProfileStore';
import { usePlayground } from '../store';
import { useTraining } from '../trainingStore';
import { decadeDomain, decadeTicks, formatDecade } from '../logTicks';
import { Tex } from './Tex';

const sig = (v: number) => v.toPrecision(4);

export function LearnedSigmaPanel() {
  const model = useTraining((s) => s.model);
  const t = usePlayground((s) => s.t);
  const backend = usePlayground((s) => s.backend);
  const { profile, busy, error, modelKey } = useSigmaProfile(
    useShallow((s) => ({
      profile: s.profile,
      busy: s.busy,
      error: s.error,
      modelKey: s.modelKey,
    })),
  );
  const key = model ? sigmaModelKey(model) : null;
  const learns = model?.learnSigma === true;
  // Measured once per model, when the panel first shows it (a second or two on wasm).
  useEffect(() => {
    if (learns && backend && key !== null && modelKey !== key) void measureSigmaProfile();
  }, [learns, backend, key, modelKey]);
  if (!learns) return null;
  const current = profile && modelKey === key ? profile : null;
  const points = current ? sigmaPoints(current) : [];
  const domain = decadeDomain(points.flatMap((p) => [p.beta, p.betaTilde, ...p.band]));
  const T = model?.schedule.T ?? 1000;
  const k = current ? nearestIndex(current.t, t) : 0;
  const n = current ? sigmaFormulaNumbers(current, k) : null;
  return (
    <section
      className="panel"
      aria-label="Learned variance Σ_θ"
      data-testid="sigma-profile-panel"
      aria-busy={busy}
    >
      <h3>The learned variance Σ_θ against β_t and β̃_t</h3>
      <div data-testid="sigma-formula">
        <Tex
          expr={
            n
              ? String.raw`\Sigma_\theta = \exp\big(v \log\beta_t + (1-v)\log\tilde\beta_t\big) = \exp\big(${n.v.toFixed(3)}\cdot(${n.logBeta.toFixed(3)}) + ${(1 - n.v).toFixed(3)}\cdot(${n.logBetaTilde.toFixed(3)})\big) = ${sig(n.sigma)}\quad\text{at } t = ${n.t}`
              : String.raw`\Sigma_\theta = \exp\big(v \log\beta_t + (1-v)\log\tilde\beta_t\big)`
          }
          display
        />
      </div>
      <p className="muted">
        Nichol &amp; Dhariwal 2021, eq. 15: the network outputs v per pixel and interpolates between
        the two variances Ho et al. fixed. v here is the mean over the pixels of{' '}
        {current?.images ?? 4} test images noised to each t (the measured t nearest the shared t ={' '}
        {t}). Look at small t: β_t and β̃_t differ most there, and that is where v matters for the
        likelihood; at large t they coincide and v hardly changes Σ_θ.
      </p>
      {busy && (
        <p role="status" className="muted" data-testid="sigma-profile-busy">
          Measuring Σ_θ at {T > 30 ? 30 : T} timesteps…
        </p>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {current && domain && (
        <figure className="chart" data-testid="sigma-profile-chart">
          <figcaption>
            <strong>σ² against t</strong> (both axes log; x is t + 1 so t = 0 is drawn): β_t, β̃_t
            and Σ_θ (geometric mean over pixels; band: 10th–90th percentile)
          </figcaption>
          <div className="chart-box">
            <ResponsiveContainer width="100%" height="100%">
              <ComposedChart data={points} margin={{ top: 8, right: 16, bottom: 20, left: 8 }}>
                <CartesianGrid strokeDasharray="3 3" opacity={0.4} />
                <XAxis
                  dataKey="t1"
                  type="number"
                  scale="log"
                  domain={[1, T]}
                  ticks={decadeTicks([1, 10 ** Math.ceil(Math.log10(T))]).filter((v) => v <= T)}
                  tickFormatter={formatDecade}
                  allowDataOverflow
                  label={{ value: 't + 1', position: 'insideBottom', offset: -12 }}
                />
                <YAxis
                  type="number"
                  scale="log"
                  domain={domain}
                  ticks={decadeTicks(domain)}
                  tickFormatter={formatDecade}
                  width={56}
                  allowDataOverflow
                />
                <Tooltip
                  formatter={(v) =>
                    Array.isArray(v)
                      ? v.map((x) => Number(x).toExponential(3)).join(' – ')
                      : Number(v).toExponential(3)
                  }
                  labelFormatter={(l) => `t = ${Number(l) - 1}`}
                />
                <Legend verticalAlign="top" />
                <Area
                  name="Σ_θ, 10th–90th percentile"
                  dataKey="band"
                  stroke="none"
                  fill="#7048e8"
                  fillOpacity={0.2}
                  isAnimationActive={false}
                />
                <Line
                  name="β_t"
                  dataKey="beta"
                  stroke="#d9480f"
                  dot={false}
                  strokeWidth={2}
                  isAnimationActive={false}
                />
                <Line
                  name="β̃_t"
                  dataKey="betaTilde"
                  stroke="#2f9e44"
                  dot={false}
                  strokeWidth={2}
                  strokeDasharray="6 3"
                  isAnimationActive={false}
                />
                <Line
                  name="Σ_θ (geometric mean)"
                  dataKey="sigma"
                  stroke="#7048e8"
                  strokeWidth={2}
                  isAnimationActive={false}
                />
              </ComposedChart>
            </ResponsiveContainer>
          </div>
        </figure>
      )}
      <button type="button" onClick={() => void measureSigmaProfile()} disabled={busy || !backend}>
        Measure Σ_θ again
      </button>
    </section>
  );
}
