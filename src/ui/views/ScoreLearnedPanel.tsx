// The learned score beside the exact one: a small MLP trained live in the worker, its loss curve,
// and three planes at the chosen noise level: the exact score, the learned score (both over the
// noised data's density) and the error ‖s_θ − ∇log p_t‖ as a heat map, with its size near the
// data and over the whole square (the reason NCSN uses many noise levels: Song & Ermon 2019).
import { memo, useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import {
  CartesianGrid,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { DEFAULT_LEARNED } from '../../diffusion/score2d/learnedDefaults';
import { ScorePlane } from '../components/ScorePlane';
import { pauseTraining, train, TRAIN_STEPS } from '../score2dActions';
import { useScore2d } from '../score2dStore';

const NO_ARROWS = new Float32Array(0);

const LossChart = memo(function LossChart({
  losses,
}: {
  losses: { step: number; loss: number }[];
}) {
  return (
    <div className="chart-box score-chart" data-testid="loss-chart">
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={losses} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" opacity={0.4} />
          <XAxis dataKey="step" type="number" domain={[0, 'auto']} />
          <YAxis width={48} domain={[0, 'auto']} />
          <Tooltip
            formatter={(v) => Number(v).toFixed(4)}
            labelFormatter={(l) => `step ${String(l)}`}
          />
          <Line dataKey="loss" stroke="#1c7ed6" dot={false} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
});

// Memoised, with only the state it shows: the view re-renders on every sampler frame.
export const ScoreLearnedPanel = memo(function ScoreLearnedPanel({ extent }: { extent: number }) {
  const s = useScore2d(
    useShallow((st) => ({
      learnedField: st.learnedField,
      level: st.level,
      field: st.field,
      objective: st.objective,
      training: st.training,
      set: st.set,
      info: st.info,
      trainStep: st.trainStep,
      losses: st.losses,
      msPerTrainStep: st.msPerTrainStep,
      trainSeconds: st.trainSeconds,
    })),
  );
  const lf = s.learnedField;
  const t = s.level.toFixed(3);
  // Stable objects: a plane redraws only when its field changes, not on every store update.
  const field = s.field;
  const learnedPlane = useMemo(
    () => (field && lf ? { logDensity: field.logDensity, score: lf.score } : null),
    [field, lf],
  );
  const errorPlane = useMemo(
    () => (lf ? { logDensity: lf.errorLog10, score: NO_ARROWS } : null),
    [lf],
  );
  return (
    <div className="panel">
      <h3>Learned score against the exact one</h3>
      <p>
        A small MLP (3 × 128 SiLU, input c_in·x and sin/cos of log σ) predicts the noise ε̂; its
        score is s_θ = −ε̂/σ (NCSNv2&apos;s output scaling), used for any marginal as s_θ(x/a,
        b/a)/a. Objective: ε-prediction on the VP schedule (Ho et al. 2020) or denoising score
        matching with λ(σ) = σ² over log-uniform σ (Song &amp; Ermon 2019, eq. 6); {TRAIN_STEPS}{' '}
        Adam steps of {DEFAULT_LEARNED.batch} fresh data points (learning rate{' '}
        {DEFAULT_LEARNED.learningRate}), loss as the mean per coordinate. <strong>Look for:</strong>{' '}
        move the noise level. At small t the error (right) is small only where the data is and large
        between the modes, where training never saw a noised point; at large t it is small
        everywhere — the reason for many noise levels (Song &amp; Ermon 2019).
      </p>
      <div className="controls">
        <label>
          Objective
          <select
            value={s.objective}
            disabled={s.training}
            onChange={(e) =>
              s.set({
                objective: e.target.value as 'eps' | 'dsm',
                trainStep: 0,
                losses: [],
                trainSeconds: null,
                learnedField: null,
                score: 'exact',
              })
            }
          >
            <option value="eps">ε-prediction (VP)</option>
            <option value="dsm">DSM, λ(σ) = σ²</option>
          </select>
        </label>
        {s.training ? (
          <button type="button" onClick={() => void pauseTraining()}>
            Pause
          </button>
        ) : (
          <button
            type="button"
            onClick={() => void train()}
            disabled={!s.info || s.trainStep >= TRAIN_STEPS}
          >
            Train
          </button>
        )}
        <span data-testid="train-status">
          {s.trainStep > 0
            ? `step ${s.trainStep} / ${TRAIN_STEPS}, loss ${s.losses[s.losses.length - 1]?.loss.toFixed(4) ?? '–'} (mean per coordinate)${s.msPerTrainStep !== null ? `, ${s.msPerTrainStep.toFixed(1)} ms per step` : ''}${s.trainSeconds !== null ? `, ${s.trainSeconds.toFixed(1)} s in all` : ''}`
            : 'not trained'}
        </span>
      </div>
      {s.losses.length > 0 && <LossChart losses={s.losses} />}
      {lf && s.field && learnedPlane && errorPlane && (
        <>
          <div className="score-trio">
            <figure>
              <ScorePlane
                extent={extent}
                field={s.field}
                showArrows
                particles={null}
                testId="exact-plane"
                label={`exact score arrows over the noised density at t = ${t}`}
              />
              <figcaption>Exact ∇log p_t (closed form), t = {t}</figcaption>
            </figure>
            <figure>
              <ScorePlane
                extent={extent}
                field={learnedPlane}
                showArrows
                particles={null}
                testId="learned-plane"
                label={`learned score arrows over the noised density at t = ${t}`}
              />
              <figcaption>Learned s_θ after {s.trainStep} steps, same density</figcaption>
            </figure>
            <figure>
              <ScorePlane
                extent={extent}
                field={errorPlane}
                heatRange={4}
                showArrows={false}
                particles={null}
                testId="error-plane"
                label={`error of the learned score at t = ${t}, log scale`}
              />
              <figcaption>Error log₁₀‖s_θ − ∇log p_t‖: bright is large, 4 decades shown</figcaption>
            </figure>
          </div>
          <p data-testid="learned-error">
            Relative error E‖s_θ − ∇log p_t‖ / E‖∇log p_t‖ at t = {t}: where the noised data is
            (weighted by p_t) <strong>{lf.relErrorNearData.toFixed(3)}</strong>, over the whole
            square <strong>{lf.relErrorEverywhere.toFixed(3)}</strong>.
          </p>
        </>
      )}
    </div>
  );
});
