// "Score & SDE": the score-based view of diffusion in 2-D. The exact score of a Gaussian-mixture
// data set as arrows over its noised density, and the samplers of Song & Ermon 2019 (Langevin,
// annealed Langevin) and Song et al. 2021 (reverse SDE, probability-flow ODE, predictor–corrector)
// next to DDPM's ancestral step, all from the same starting noise.
import { memo, useEffect, useMemo, useState } from 'react';
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
  MAX_DRAWN_POINTS,
  PRESET_NAMES,
  SAMPLER_LABELS,
  SAMPLER_NAMES,
  SDE_KINDS,
  VE_SIGMA_MIN,
  VP_BETA_MAX,
  VP_BETA_MIN,
  type PresetName,
  type SamplerName,
  type SdeKind,
} from '../../diffusion/score2d';
import { ScorePlane } from '../components/ScorePlane';
import { Tex } from '../components/Tex';
import { currentSettings, useScore2d } from '../score2dStore';
import {
  loadData,
  loadField,
  loadLearnedField,
  pause,
  PATH_PARTICLES,
  play,
  runSweep,
  sample,
  stepBack,
  stepForward,
} from '../score2dActions';
import { samplerText, scoreTex } from '../score2dFormulas';
import { ScoreDensityPanel } from './ScoreDensityPanel';
import { ScoreForwardPanel } from './ScoreForwardPanel';
import { ScoreLearnedPanel } from './ScoreLearnedPanel';
import { snapDrawn } from '../drawnPointsCode';

const PRESET_LABELS: Record<PresetName, string> = {
  mixture: 'mixture (0.2 / 0.8)',
  moons: 'two moons',
  ring: 'ring of 8 Gaussians',
  spiral: 'spiral',
  checkerboard: 'checkerboard',
};
const SDE_LABELS: Record<SdeKind, string> = { vp: 'VP', subvp: 'sub-VP', ve: 'VE' };
const LINE_COLORS = ['#e8590c', '#1c7ed6', '#2f9e44', '#ae3ec9', '#f08c00', '#495057'];

function useScore2dData() {
  const preset = useScore2d((s) => s.preset);
  const points = useScore2d((s) => s.drawnPoints);
  useEffect(() => {
    void loadData();
  }, [preset, points]);
  const sde = useScore2d((s) => s.sde);
  const level = useScore2d((s) => s.level);
  const info = useScore2d((s) => s.info);
  useEffect(() => {
    void loadField();
  }, [sde, level, info]);
  const trained = useScore2d((s) => s.trainStep > 0);
  useEffect(() => {
    if (trained) void loadLearnedField();
  }, [sde, level, trained]);
}

// Memoised: a recharts re-render costs tens of ms, and the view re-renders on every frame.
const SweepChart = memo(function SweepChart() {
  const sweep = useScore2d((s) => s.sweep);
  const data = useMemo(() => {
    const byNfe = new Map<number, Record<string, number>>();
    for (const p of sweep) {
      const row = byNfe.get(p.nfe) ?? { nfe: p.nfe };
      row[p.sampler] = p.sw;
      byNfe.set(p.nfe, row);
    }
    return [...byNfe.values()].sort((a, b) => a.nfe - b.nfe);
  }, [sweep]);
  return (
    <div className="chart-box score-chart" data-testid="sweep-chart">
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={data} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" opacity={0.4} />
          <XAxis dataKey="nfe" type="number" scale="log" domain={['auto', 'auto']} />
          <YAxis width={48} />
          <Tooltip
            formatter={(v) => Number(v).toFixed(3)}
            labelFormatter={(l) => `NFE ${String(l)}`}
          />
          <Legend />
          {SAMPLER_NAMES.map((s, i) => (
            <Line
              key={s}
              dataKey={s}
              stroke={LINE_COLORS[i]}
              connectNulls
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
});

export function ScoreView() {
  useScore2dData();
  const s = useScore2d();
  const settings = currentSettings(s);
  const snap = s.snapshots[s.frameIndex] ?? null;
  const [drawMs, setDrawMs] = useState<number | null>(null);
  const paths = useMemo(() => {
    const out: Float32Array[] = [];
    const upto = s.snapshots.slice(0, s.frameIndex + 1);
    for (let k = 0; k < PATH_PARTICLES && upto.length > 0; k++) {
      if (2 * k + 1 >= upto[0].x.length) break;
      const p = new Float32Array(2 * upto.length);
      upto.forEach((f, i) => {
        p[2 * i] = f.x[2 * k];
        p[2 * i + 1] = f.x[2 * k + 1];
      });
      out.push(p);
    }
    return out;
  }, [s.snapshots, s.frameIndex]);
  const extent = s.info?.extent ?? 9;
  const params = {
    betaMin: VP_BETA_MIN,
    betaMax: VP_BETA_MAX,
    sigmaMin: VE_SIGMA_MIN,
    sigmaMax: s.info?.sigmaMax ?? 50,
  };
  const text = settings ? samplerText(settings, params, snap ?? { t: 1, sigma: 1 }) : null;
  const usesSde = s.sampler === 'reverse-sde' || s.sampler === 'pf-ode' || s.sampler === 'pc';
  const last = s.snapshots[s.snapshots.length - 1];

  return (
    <section className="view score-view" aria-label="Score and SDE">
      <h2>Score &amp; SDE: the score, Langevin dynamics and the SDE samplers in 2-D</h2>
      <div className="score-grid">
        <div className="score-main">
          <ScorePlane
            extent={extent}
            field={s.field}
            showArrows={s.showArrows}
            particles={snap?.x ?? null}
            paths={paths}
            points={s.preset === 'drawn' ? s.drawnPoints : undefined}
            onPick={
              s.preset === 'drawn'
                ? (x, y) => {
                    if (s.drawnPoints.length < MAX_DRAWN_POINTS) {
                      // On the share link's 0.01 grid, so a link restores exactly these points.
                      s.set({ drawnPoints: [...s.drawnPoints, [snapDrawn(x), snapDrawn(y)]] });
                    }
                  }
                : undefined
            }
            onDrawn={setDrawMs}
            label={`${s.info?.label ?? 'data'}: density heat map and score arrows at t = ${s.level}, ${snap ? `${snap.x.length / 2} particles` : 'no particles yet'}`}
          />
          <div className="score-scrub">
            <label>
              Step {snap ? `${snap.stepIndex} / ${snap.totalSteps}` : '–'}
              <input
                type="range"
                aria-label="Trajectory"
                min={0}
                max={Math.max(0, s.snapshots.length - 1)}
                value={s.frameIndex}
                disabled={s.snapshots.length < 2}
                onChange={(e) => s.set({ frameIndex: Number(e.target.value), playing: false })}
              />
            </label>
          </div>
        </div>
        <div className="score-side controls">
          <label>
            Data
            <select
              value={s.preset}
              onChange={(e) =>
                s.set({ preset: e.target.value as PresetName | 'drawn', snapshots: [] })
              }
            >
              {PRESET_NAMES.map((p) => (
                <option key={p} value={p}>
                  {PRESET_LABELS[p]}
                </option>
              ))}
              <option value="drawn">draw your own</option>
            </select>
          </label>
          {s.preset === 'drawn' && (
            <p className="hint">
              Click the plane to add points ({s.drawnPoints.length} / {MAX_DRAWN_POINTS}).{' '}
              <button type="button" onClick={() => s.set({ drawnPoints: [], snapshots: [] })}>
                Clear points
              </button>
            </p>
          )}
          <label>
            Noise level t = {s.level.toFixed(3)}
            <input
              type="range"
              aria-label="Noise level"
              min={0}
              max={1}
              step={0.005}
              value={s.level}
              onChange={(e) => s.set({ level: Number(e.target.value) })}
            />
          </label>
          <label className="score-check">
            <input
              type="checkbox"
              checked={s.showArrows}
              onChange={(e) => s.set({ showArrows: e.target.checked })}
            />
            Score arrows
          </label>
          <label>
            Sampler
            <select
              value={s.sampler}
              onChange={(e) => s.set({ sampler: e.target.value as SamplerName, steps: null })}
            >
              {SAMPLER_NAMES.map((n) => (
                <option key={n} value={n}>
                  {SAMPLER_LABELS[n]}
                </option>
              ))}
            </select>
          </label>
          <label>
            Score
            <select
              value={s.score}
              onChange={(e) => s.set({ score: e.target.value as 'exact' | 'learned' })}
            >
              <option value="exact">exact (closed form)</option>
              <option value="learned" disabled={s.trainStep === 0}>
                learned (train it below)
              </option>
            </select>
          </label>
          <label>
            SDE
            <select
              value={s.sde}
              onChange={(e) => s.set({ sde: e.target.value as SdeKind })}
              title="the SDE of the field, the reverse SDE, the ODE and PC (DDPM is VP)"
            >
              {SDE_KINDS.map((k) => (
                <option key={k} value={k}>
                  {SDE_LABELS[k]}
                </option>
              ))}
            </select>
          </label>
          <label className="advanced">
            {s.sampler === 'annealed-langevin' ? 'Steps per level T' : 'Steps N'}
            <input
              type="number"
              min={1}
              max={5000}
              value={settings?.steps ?? ''}
              onChange={(e) => {
                const v = Math.round(Number(e.target.value));
                if (Number.isFinite(v) && v >= 1 && v <= 5000) s.set({ steps: v });
              }}
            />
          </label>
          <div className="button-row">
            <button type="button" onClick={() => void sample()} disabled={!s.info || s.busy}>
              Sample
            </button>
            {s.playing ? (
              <button type="button" onClick={pause}>
                Pause
              </button>
            ) : (
              <button type="button" onClick={() => void play()} disabled={!s.info || s.busy}>
                Play
              </button>
            )}
            <button type="button" onClick={stepBack} disabled={s.frameIndex === 0}>
              Step back
            </button>
            <button type="button" onClick={() => void stepForward()} disabled={!s.info || s.busy}>
              Step forward
            </button>
          </div>
          <p className="score-status" data-testid="score-status">
            {snap
              ? `${snap.done ? 'done' : 'running'}: step ${snap.stepIndex} of ${snap.totalSteps}, ${snap.nfe} score evaluations${snap.t !== null ? `, t = ${snap.t.toFixed(3)}` : ''}, σ = ${snap.sigma.toPrecision(3)}`
              : 'Press Sample: every sampler starts from the same noise (the page seed).'}
          </p>
          {s.info && snap && (
            <table className="score-fractions" data-testid="score-fractions">
              <caption>Samples in each component (nearest component) vs the true weight</caption>
              <thead>
                <tr>
                  <th>component</th>
                  <th>samples</th>
                  <th>true</th>
                </tr>
              </thead>
              <tbody>
                {s.info.groupNames.map((g, k) => (
                  <tr key={g}>
                    <td>{g}</td>
                    <td>{snap.fractions[k].toFixed(3)}</td>
                    <td>{s.info!.groupWeights[k].toFixed(3)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {last?.done && last.sw !== null && (
            <p data-testid="score-sw">
              Sliced Wasserstein SW₂ (64 directions; Bonneel et al. 2015) of the {last.x.length / 2}{' '}
              samples to as many data points: <strong>{last.sw.toFixed(3)}</strong>
            </p>
          )}
          <p className="hint advanced">
            {[
              s.msPerStep !== null && `one sampler step ${s.msPerStep.toFixed(1)} ms`,
              drawMs !== null && `drawing ${drawMs.toFixed(1)} ms`,
            ]
              .filter(Boolean)
              .join(', ')}
          </p>
          {s.error && (
            <p role="alert" className="error">
              {s.error}
            </p>
          )}
        </div>
      </div>
      <div className="panel score-explain">
        {s.field && <Tex expr={scoreTex(s.field.marginal.a, s.field.marginal.b)} display />}
        <p>
          The arrows are the exact score of the data noised to t = {s.level.toFixed(3)} on the{' '}
          {SDE_LABELS[s.sde]} SDE (Song et al. 2021, eq. 29; score_sde marginal_prob), over its
          density (log scale, 12 nats). {s.info?.definition}. Look for: at small t the arrows only
          know the nearest mode; at large t they all point to the middle — the reason for many noise
          levels (Song & Ermon 2019).
        </p>
        {text && (
          <>
            <Tex expr={text.tex} display />
            <p>
              {text.paper} <strong>Look for:</strong> {text.look}
            </p>
          </>
        )}
        {usesSde && s.sde === 've' && (
          <p className="hint">
            VE starts from N(0, σ_max² I) with σ_max = {params.sigmaMax.toFixed(1)} (the largest
            distance in the data; Song & Ermon 2020). That prior ignores the data&apos;s mean, so
            the ODE&apos;s weights are off by a few percent on &quot;mixture&quot; (its mean is (3,
            3)).
          </p>
        )}
      </div>
      <ScoreLearnedPanel extent={extent} />
      <div className="panel">
        <h3>Distance to the data against score evaluations</h3>
        <p>
          Every sampler at 10, 30, 100 and 300 score evaluations (NFE), 1,000 particles, exact
          score, the chosen SDE: the sliced Wasserstein distance SW₂ (Bonneel et al. 2015) to 1,000
          data points. Two data samples of that size are themselves about 0.3–0.5 apart on
          &quot;mixture&quot;: below that, a sampler is as good as the data.
        </p>
        <button type="button" onClick={() => void runSweep()} disabled={!s.info || s.sweeping}>
          {s.sweeping ? 'Measuring…' : 'Measure all samplers'}
        </button>
        {s.sweep.length > 0 && <SweepChart />}
      </div>
      <ScoreDensityPanel />
      <ScoreForwardPanel />
    </section>
  );
}
