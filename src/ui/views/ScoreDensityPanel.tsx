// The model's own density from the probability-flow ODE (Song et al. 2021, Sec. 4.3, App. D.2) as
// a heat map beside the data's density, with the mean log-likelihood of held-out data points.
import { memo, useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { ScorePlane } from '../components/ScorePlane';
import { runModelDensity } from '../score2dActions';
import { useScore2d } from '../score2dStore';
import { Tex } from '../components/Tex';

const NO_ARROWS = new Float32Array(0);
const SDE_LABELS = { vp: 'VP', subvp: 'sub-VP', ve: 'VE' } as const;

// Memoised, with only the state it shows: the view re-renders on every sampler frame.
export const ScoreDensityPanel = memo(function ScoreDensityPanel() {
  const s = useScore2d(
    useShallow((st) => ({
      modelDensity: st.modelDensity,
      score: st.score,
      sde: st.sde,
      densityBusy: st.densityBusy,
      info: st.info,
      trainStep: st.trainStep,
    })),
  );
  const d = s.modelDensity;
  // Stable objects: the planes redraw only when a new density arrives.
  const planes = useMemo(
    () =>
      d && {
        data: { logDensity: d.dataLogDensity, score: NO_ARROWS },
        model: { logDensity: d.modelLogDensity, score: NO_ARROWS },
      },
    [d],
  );
  return (
    <div className="panel">
      <h3>The model&apos;s own density (probability-flow ODE)</h3>
      <Tex
        expr={
          '\\log p_0(x_0) = \\log p_T(x_T) + \\int_0^T \\nabla\\cdot\\Big(f(x_t,t) - \\tfrac12 g(t)^2 s(x_t,t)\\Big)\\,dt'
        }
        display
      />
      <p>
        Each point is carried to t = 1 by the ODE and its density there is corrected by the
        divergence along the way (instantaneous change of variables; Song et al. 2021, Sec. 4.3 and
        App. D.2). In 2-D the divergence is exact: the closed form for the exact score, the trace of
        the network&apos;s 2×2 Jacobian for the learned one (score_sde estimates it with
        Hutchinson&apos;s trick). Uses the Score select ({s.score}) and the SDE ({SDE_LABELS[s.sde]}
        ). <strong>Look for:</strong> with the exact score the two maps agree; a learned score blurs
        or leaks density where it was never trained.
      </p>
      <button
        type="button"
        onClick={() => void runModelDensity()}
        disabled={!s.info || s.densityBusy || (s.score === 'learned' && s.trainStep === 0)}
      >
        {s.densityBusy ? 'Integrating…' : 'Model density and held-out log-likelihood'}
      </button>
      {d && planes && (
        <>
          <div className="score-trio">
            <figure>
              <ScorePlane
                extent={d.extent}
                field={planes.data}
                showArrows={false}
                particles={null}
                testId="data-density-plane"
                label="the data's density, log scale"
              />
              <figcaption>Data density log p_data (top 12 nats)</figcaption>
            </figure>
            <figure>
              <ScorePlane
                extent={d.extent}
                field={planes.model}
                showArrows={false}
                particles={null}
                testId="model-density-plane"
                label={`the model's density from the probability-flow ODE, ${d.score} score, log scale`}
              />
              <figcaption>
                Model density from the PF-ODE, {d.score} score, {d.steps} Heun steps
              </figcaption>
            </figure>
          </div>
          <p data-testid="score-likelihood">
            Mean log-likelihood of {d.heldOut} held-out data points: model{' '}
            <strong>{d.heldOutModel.toFixed(3)}</strong> nats per point, true density{' '}
            {d.heldOutData.toFixed(3)} (higher is better; in expectation no model beats the true
            density).
          </p>
        </>
      )}
    </div>
  );
});
