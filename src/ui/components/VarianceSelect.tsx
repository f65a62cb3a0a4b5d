// DDPM's reverse variance: σ² = β_t, β̃_t (Ho et al. 2020, Sec. 3.2) or, for a model trained with
// it, the learned Σ_θ = exp(v·log β_t + (1 − v)·log β̃_t) (Nichol & Dhariwal 2021, eq. 15).
// "learned" is offered only when the model in use has it; a link asking for it with another
// model gets a message (validation.ts: validVariance) and σ² = β.
import { useSampling } from '../samplingStore';
import { useTraining } from '../trainingStore';
import type { DdpmVarianceName } from '../validation';

export function VarianceSelect() {
  const variance = useSampling((s) => s.settings.variance);
  const setSettings = useSampling((s) => s.setSettings);
  const problem = useSampling((s) => s.varianceProblem);
  const learnSigma = useTraining((s) => s.model?.learnSigma === true);
  return (
    <>
      <label>
        Variance σ²
        <select
          aria-label="DDPM variance"
          value={variance}
          onChange={(e) => setSettings({ variance: e.target.value as DdpmVarianceName })}
        >
          <option value="beta">σ² = β_t (Ho et al.: upper bound)</option>
          <option value="betaTilde">σ² = β̃_t (lower bound: the posterior’s)</option>
          {learnSigma && (
            <option value="learned">
              σ² = learned Σ_θ = exp(v log β_t + (1−v) log β̃_t) (Nichol &amp; Dhariwal 2021)
            </option>
          )}
        </select>
        {variance === 'learned' && (
          <small className="muted" data-testid="learned-variance-note">
            Per pixel, between β̃_t and β_t, from the network’s extra output v (eq. 15). Look for
            cleaner samples than β at few steps.
          </small>
        )}
      </label>
      {problem && (
        <p role="alert" className="error" data-testid="variance-problem">
          {problem}
        </p>
      )}
    </>
  );
}
