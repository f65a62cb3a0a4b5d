// Quality against cost: each sampler's judge accuracy and Fréchet distance against its number of
// network evaluations (NFE), the same noise and labels for all (worker: startSamplerEvaluation;
// CLI: `eval --nfe`). Shows why DDIM and ODE solvers exist: at 10–50 NFE they already give clean
// digits, where the stochastic samplers need hundreds (Song et al. 2021, DDIM Table 1; Song et
// al. 2021, SDE Sec. 4.3 and Table 1).
import * as Comlink from 'comlink';
import { useState } from 'react';
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
import type { NfeResult, NfeSampler, SamplerEvaluationEvent } from '../../worker/api';
import { describeError } from '../errors';
import { getWorker } from '../workerClient';
import { Tex } from './Tex';
import { parseBudgets } from '../nfeBudgets';
import { useClassNoun } from '../useClassNoun';

export const COST_SAMPLERS: readonly NfeSampler[] = [
  'ddim',
  'pf-ode',
  'euler-maruyama',
  'pc',
  'annealed-langevin',
];
const COLORS: Record<NfeSampler, string> = {
  ddim: '#1971c2',
  'pf-ode': '#2f9e44',
  'euler-maruyama': '#d9480f',
  pc: '#9c36b5',
  'annealed-langevin': '#868e96',
};
const SAMPLE_CHOICES = [20, 50, 100];
/** Rows for the charts: one per budget, one column per sampler. */
function chartRows(results: readonly NfeResult[], key: 'accuracy' | 'frechetDistance') {
  const byBudget = new Map<number, Record<string, number>>();
  for (const r of results) {
    const row = byBudget.get(r.budget) ?? { budget: r.budget };
    row[r.sampler] = key === 'accuracy' ? 100 * r.accuracy : r.frechetDistance;
    byBudget.set(r.budget, row);
  }
  return [...byBudget.values()].sort((a, b) => a.budget - b.budget);
}

function CostChart(props: {
  results: readonly NfeResult[];
  metric: 'accuracy' | 'frechetDistance';
  title: string;
}) {
  const { results, metric, title } = props;
  const samplers = COST_SAMPLERS.filter((s) => results.some((r) => r.sampler === s));
  return (
    <figure className="chart tradeoff-chart" data-testid={`nfe-chart-${metric}`}>
      <figcaption>
        <strong>{title}</strong>
      </figcaption>
      <div className="chart-box">
        <ResponsiveContainer width="100%" height="100%">
          <LineChart
            data={chartRows(results, metric)}
            margin={{ top: 8, right: 8, bottom: 8, left: 8 }}
          >
            <CartesianGrid strokeDasharray="3 3" opacity={0.4} />
            <XAxis
              dataKey="budget"
              type="number"
              scale="log"
              domain={['auto', 'auto']}
              label={{ value: 'NFE budget (log)', position: 'insideBottom', offset: -4 }}
            />
            <YAxis
              width={56}
              domain={metric === 'accuracy' ? [0, 100] : ['auto', 'auto']}
              tickFormatter={(v: number) => (metric === 'accuracy' ? `${v}%` : String(v))}
            />
            <Tooltip />
            <Legend />
            {samplers.map((s) => (
              <Line
                key={s}
                dataKey={s}
                stroke={COLORS[s]}
                isAnimationActive={false}
                dot
                connectNulls
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}

export function SamplerCostPanel({ disabled }: { disabled: boolean }) {
  const [budgetsText, setBudgetsText] = useState('10, 20, 50');
  const [samples, setSamples] = useState(20);
  const [scale, setScale] = useState(3);
  const [running, setRunning] = useState(false);
  const [fraction, setFraction] = useState(0);
  const [results, setResults] = useState<NfeResult[]>([]);
  const [error, setError] = useState<string | null>(null);
  const parsed = parseBudgets(budgetsText);
  const { noun, nouns } = useClassNoun();

  const run = async () => {
    if (parsed.budgets === null) return;
    setRunning(true);
    setError(null);
    setResults([]);
    setFraction(0);
    const listener = Comlink.proxy((e: SamplerEvaluationEvent) => {
      if (e.type === 'progress') setFraction(e.fraction);
      else setResults((rs) => [...rs, e.result]);
    });
    try {
      await getWorker().startSamplerEvaluation(
        {
          samplers: [...COST_SAMPLERS],
          budgets: parsed.budgets,
          samples,
          guidanceScale: scale,
          seed: 0,
        },
        listener,
      );
    } catch (e) {
      setError(describeError(e));
    } finally {
      setRunning(false);
    }
  };

  return (
    <section className="panel" aria-labelledby="nfe-title" data-testid="sampler-cost">
      <h3 id="nfe-title">Samplers: quality against cost (NFE)</h3>
      <p className="muted">
        Each sampler gets the same budget of network evaluations (NFE) and the same starting noise
        and labels; the judge scores the images as above. DDIM and the probability-flow ODE
        (deterministic) should be good at 10–50 NFE; the reverse SDE, predictor–corrector and
        annealed Langevin add noise at every step and need far more. Same numbers from{' '}
        <code>npm run cli -- eval --nfe 10,20,50 --n 20</code>.
      </p>
      <Tex
        expr={String.raw`\mathrm{NFE}:\ \text{DDIM } K,\ \ \text{ODE (Heun) } 2K-1,\ \ \text{Euler–Maruyama } K,\ \ \text{PC } 2K,\ \ \text{Langevin } K \quad (K = \text{levels visited})`}
        display
      />
      <div className="controls">
        <label>
          NFE budgets
          <input
            type="text"
            aria-label="NFE budgets"
            value={budgetsText}
            disabled={running}
            onChange={(e) => setBudgetsText(e.target.value)}
          />
          {parsed.error && (
            <small className="error" role="alert">
              {parsed.error}
            </small>
          )}
        </label>
        <label>
          Samples
          <select
            aria-label="Samples per sampler and budget"
            value={samples}
            disabled={running}
            onChange={(e) => setSamples(Number(e.target.value))}
          >
            {SAMPLE_CHOICES.map((n) => (
              <option key={n} value={n}>
                {n} ({n / 10} per {noun})
              </option>
            ))}
          </select>
        </label>
        <label>
          Guidance scale s
          <input
            type="number"
            aria-label="Guidance scale for the sampler comparison"
            min={0}
            max={10}
            step={0.5}
            value={scale}
            disabled={running}
            onChange={(e) => {
              const v = Number(e.target.value);
              if (Number.isFinite(v) && v >= 0 && v <= 10) setScale(v);
            }}
          />
        </label>
        <button
          type="button"
          onClick={() => void run()}
          disabled={disabled || running || parsed.budgets === null}
        >
          Measure samplers
        </button>
        {running && (
          <button type="button" onClick={() => void getWorker().cancelEvaluation()}>
            Stop
          </button>
        )}
      </div>
      {running && (
        <div className="progress-row">
          <progress aria-label="Sampler comparison progress" value={fraction} max={1} />
          <span data-testid="nfe-progress">{Math.round(100 * fraction)}%</span>
        </div>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {results.length > 0 && (
        <>
          <table className="results" data-testid="nfe-table">
            <thead>
              <tr>
                <th scope="col">sampler</th>
                <th scope="col">NFE</th>
                <th scope="col">levels K</th>
                <th scope="col">accuracy</th>
                <th scope="col">FD</th>
              </tr>
            </thead>
            <tbody>
              {results.map((r) => (
                <tr key={`${r.sampler}-${r.budget}`}>
                  <td>{r.sampler}</td>
                  <td>{r.nfe}</td>
                  <td>{r.steps}</td>
                  <td>{(100 * r.accuracy).toFixed(1)}%</td>
                  <td>{r.frechetDistance.toFixed(2)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="eval-grid">
            <CostChart results={results} metric="accuracy" title="Judge accuracy against NFE" />
            <CostChart
              results={results}
              metric="frechetDistance"
              title={`Fréchet distance against NFE (lower is closer to real ${nouns})`}
            />
          </div>
        </>
      )}
    </section>
  );
}
