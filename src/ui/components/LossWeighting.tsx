// The training loss's weight over t: uniform (Ho et al. 2020's L_simple) or min-SNR-γ (Hang et al.
// 2023), the select for the Training view's controls and the note that explains it with the
// numbers of the model's own schedule (diffusion/lossWeighting.ts computes them).
import { useMemo } from 'react';
import {
  LOSS_WEIGHTINGS,
  MIN_SNR_GAMMA,
  minSnrSummary,
  type LossWeighting,
} from '../../diffusion/lossWeighting';
import { makeSchedule } from '../../diffusion/schedule';
import { useTraining } from '../trainingStore';

const LABELS: Record<LossWeighting, string> = {
  uniform: 'uniform: L_simple (Ho et al. 2020)',
  'min-snr': `min-SNR-γ, γ = ${MIN_SNR_GAMMA} (Hang et al. 2023)`,
};

export function LossWeightingSelect(props: { disabled: boolean }) {
  const value = useTraining((s) => s.settings.lossWeighting);
  const setSettings = useTraining((s) => s.setSettings);
  return (
    <label
      className="advanced"
      title="How much each timestep's error counts. Applies from the next Train or Step; a paused run keeps its optimiser state."
    >
      Loss weight over t
      <select
        aria-label="Loss weight over t"
        value={value}
        disabled={props.disabled}
        onChange={(e) => setSettings({ lossWeighting: e.target.value as LossWeighting })}
      >
        {LOSS_WEIGHTINGS.map((w) => (
          <option key={w} value={w}>
            {LABELS[w]}
          </option>
        ))}
      </select>
    </label>
  );
}

const fmt = (x: number) => (x >= 100 ? Math.round(x).toLocaleString('en') : x.toPrecision(2));

/** One paragraph: the weighting in use, its formula and what it does on this schedule. */
export function LossWeightingNote() {
  const weighting = useTraining((s) => s.settings.lossWeighting);
  const request = useTraining((s) => s.model?.schedule ?? null);
  const kind = request?.kind ?? 'linear';
  const T = request?.T ?? 1000;
  const scaled = request?.scaled ?? false;
  const summary = useMemo(
    () => minSnrSummary(makeSchedule({ kind, T, scaled }), [0, 10, 100]),
    [kind, T, scaled],
  );
  if (weighting === 'uniform') {
    return (
      <p data-testid="loss-weighting-note">
        <strong>Loss weight over t: uniform.</strong> Every t counts alike (Ho et al. 2020&apos;s
        L_simple). The other choice, min-SNR-γ (Hang et al. 2023), multiplies each example&apos;s
        error by w<sub>t</sub> = min(SNR<sub>t</sub>, {summary.gamma})/SNR<sub>t</sub>, SNR
        <sub>t</sub> = ᾱ<sub>t</sub>/(1 − ᾱ<sub>t</sub>), so the nearly clean steps count less: on
        CIFAR-10 it learned faster here at equal steps (README, &ldquo;CIFAR-10, measured&rdquo;).
      </p>
    );
  }
  return (
    <p data-testid="loss-weighting-note">
      <strong>Loss weight over t: min-SNR-γ, γ = {summary.gamma}</strong> (Hang et al. 2023). Each
      example&apos;s error is multiplied by w<sub>t</sub> = min(SNR<sub>t</sub>, {summary.gamma}
      )/SNR<sub>t</sub>, SNR<sub>t</sub> = ᾱ<sub>t</sub>/(1 − ᾱ<sub>t</sub>). On this model&apos;s
      schedule ({kind}, T = {T}, t counted from 0):{' '}
      {summary.points.map((p) => `t = ${p.t}: SNR ${fmt(p.snr)}, w ${fmt(p.weight)}`).join('; ')};
      from t = {summary.fullWeightFrom} on, SNR ≤ {summary.gamma} and every t weighs 1. The loss
      curve and the bars show the weighted error, so they sit lower at small t than with uniform
      weights. <strong>Look for:</strong> the nearly clean steps, whose gradients pull against the
      noisy ones, no longer dominate the fit.
    </p>
  );
}
