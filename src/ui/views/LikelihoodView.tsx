// The likelihood chapter: the ELBO of the model in use on test images, term by term (Ho et al.
// 2020, eq. 5, 12, 13), refined live as the worker evaluates more t; and the weights w_t that
// L_simple drops (Ho et al. 2020, Sec. 3.4) for both schedules.
import { useShallow } from 'zustand/react/shallow';
import { useMemo } from 'react';
import { useLikelihood, IMAGE_COUNTS } from '../likelihoodStore';
import { cancelLikelihood, runLikelihood } from '../likelihoodActions';
import {
  cumulative,
  estimateBound,
  meanOverImages,
  termPoints,
  weightPoints,
} from '../likelihoodFormat';
import { formatSeconds } from '../evaluationFormat';
import { useTraining } from '../trainingStore';
import { usePlayground } from '../store';
import { makeSchedule } from '../../diffusion/schedule';
import { vlbWeight, type ElboVariance, type VlbVariance } from '../../diffusion/vlb';
import { Tex } from '../components/Tex';
import { CumulativeChart, TermsChart, WeightsChart } from '../components/LikelihoodCharts';
import { LearnedSigmaPanel } from '../components/LearnedSigmaPanel';

const VARIANCE_LABEL: Record<ElboVariance, string> = {
  betaTilde: 'β̃_t',
  beta: 'β_t',
  learned: 'Σ_θ (learned)',
};
const f3 = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : '…');

function Controls() {
  const { settings, setSettings, running, cancelling } = useLikelihood(
    useShallow((s) => ({
      settings: s.settings,
      setSettings: s.setSettings,
      running: s.running,
      cancelling: s.cancelling,
    })),
  );
  const { imageIndex, setImageIndex, backend } = usePlayground(
    useShallow((s) => ({
      imageIndex: s.imageIndex,
      setImageIndex: s.setImageIndex,
      backend: s.backend,
    })),
  );
  const model = useTraining((s) => s.model);
  return (
    <div className="controls">
      <label>
        Test images
        <select
          aria-label="Test images"
          value={settings.images}
          disabled={running}
          onChange={(e) => setSettings({ images: Number(e.target.value) })}
        >
          {IMAGE_COUNTS.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>
      <label>
        First test image #
        <input
          type="number"
          aria-label="First test image"
          min={0}
          max={9999}
          value={imageIndex}
          disabled={running}
          onChange={(e) => {
            const v = Math.round(Number(e.target.value));
            if (v >= 0 && v <= 9999) setImageIndex(v);
          }}
        />
      </label>
      <label>
        Reverse variance σ²
        <select
          aria-label="Reverse variance"
          value={settings.variance}
          disabled={running}
          onChange={(e) => setSettings({ variance: e.target.value as ElboVariance })}
        >
          <option value="betaTilde">β̃ (posterior variance)</option>
          <option value="beta">β</option>
          {(model?.learnSigma === true || settings.variance === 'learned') && (
            <option value="learned">
              Σ_θ learned: exp(v log β + (1−v) log β̃), Nichol &amp; Dhariwal 2021 eq. 15
            </option>
          )}
        </select>
      </label>
      <label className="advanced checkbox">
        <input
          type="checkbox"
          checked={settings.conditional}
          disabled={running}
          onChange={(e) => setSettings({ conditional: e.target.checked })}
        />
        conditional on the true label
      </label>
      <label className="advanced">
        Seed
        <input
          type="number"
          aria-label="Likelihood seed"
          min={0}
          value={settings.seed}
          disabled={running}
          onChange={(e) => setSettings({ seed: Math.max(0, Math.round(Number(e.target.value))) })}
        />
      </label>
      <button
        type="button"
        onClick={() => void runLikelihood()}
        disabled={running || !backend || !model}
      >
        Compute the ELBO
      </button>
      <button type="button" onClick={cancelLikelihood} disabled={!running || cancelling}>
        Cancel
      </button>
    </div>
  );
}

function Progress() {
  const { result, running, cancelling } = useLikelihood(
    useShallow((s) => ({ result: s.result, running: s.running, cancelling: s.cancelling })),
  );
  if (!running) return null;
  const done = result?.evaluated ?? 0;
  const T = result?.T ?? 1;
  const left = result?.secondsLeft ?? null;
  return (
    <div className="progress-row">
      <progress aria-label="Likelihood progress" value={done} max={T} />
      <span data-testid="likelihood-progress">
        {cancelling ? 'stopping…' : `${done} of ${T} timesteps evaluated`}
        {left !== null && !cancelling ? ` · about ${formatSeconds(left)} left` : ''}
      </span>
    </div>
  );
}

function Results() {
  const { result, error, note } = useLikelihood(
    useShallow((s) => ({ result: s.result, error: s.error, note: s.note })),
  );
  const summary = useMemo(() => {
    if (!result) return null;
    const n = result.prior.length;
    const mean = estimateBound(
      result.strata,
      meanOverImages(result.terms),
      result.prior.reduce((a, b) => a + b, 0) / n,
    );
    const chosen = estimateBound(
      result.strata,
      result.terms.map((r) => (r === null ? null : r[0])),
      result.prior[0],
    );
    const cum = cumulative(result.terms);
    const first = result.terms[0];
    const decoder = first ? first.reduce((a, b) => a + b, 0) / n : Number.NaN;
    const prior = result.prior.reduce((a, b) => a + b, 0) / n;
    return { mean, chosen, cum, decoder, prior, points: termPoints(result.terms) };
  }, [result]);
  return (
    <>
      {error && (
        <p role="alert" className="error" data-testid="likelihood-error">
          {error}
        </p>
      )}
      {note && (
        <p role="status" className="muted">
          {note}
        </p>
      )}
      {result && summary && (
        <section aria-label="Likelihood results" data-testid="likelihood-results">
          <p className="headline" data-testid="likelihood-estimate">
            ELBO ≈ <strong>{f3(summary.mean.bitsPerDim)}</strong>
            {summary.mean.standardError > 0 || Number.isNaN(summary.mean.standardError)
              ? ` ± ${f3(summary.mean.standardError)}`
              : ''}{' '}
            bits/dim, mean over{' '}
            {result.prior.length === 1
              ? `1 test image (#${result.firstImage})`
              : `${result.prior.length} test images (#${result.firstImage}–#${result.firstImage + result.prior.length - 1})`}
            ; image #{result.firstImage} (label {result.labels[0]}): {f3(summary.chosen.bitsPerDim)}
            {summary.chosen.standardError > 0 ? ` ± ${f3(summary.chosen.standardError)}` : ''}.
          </p>
          <p className="muted">
            {summary.mean.evaluated === summary.mean.total
              ? `Exact sum over all ${result.T} timesteps (one sample of x_t per image and t). `
              : `${summary.mean.evaluated} of ${summary.mean.total} timesteps evaluated; the rest are estimated from their stratum (± is that estimate's standard error). `}
            {result.modelLabel}; σ² = {VARIANCE_LABEL[result.settings.variance]};{' '}
            {result.settings.conditional ? 'conditional on the true labels' : 'unconditional'}.
          </p>
          <table className="compact-table" data-testid="likelihood-parts">
            <tbody>
              <tr>
                <th>
                  L<sub>0</sub> (decoder, t = 1)
                </th>
                <td>{f3(summary.decoder)} bits/dim</td>
              </tr>
              <tr>
                <th>
                  Σ L<sub>t−1</sub>, t = 2…T
                </th>
                <td>
                  {summary.cum
                    ? `${f3((summary.cum.at(-1)?.sum ?? 0) - summary.decoder)} bits/dim`
                    : 'when every t is in'}
                </td>
              </tr>
              <tr>
                <th>
                  L<sub>T</sub> (prior)
                </th>
                <td>{summary.prior.toExponential(2)} bits/dim</td>
              </tr>
            </tbody>
          </table>
          <TermsChart points={summary.points} T={result.T} />
          {summary.cum && (
            <CumulativeChart
              points={summary.cum}
              total={(summary.cum.at(-1)?.sum ?? 0) + summary.prior}
            />
          )}
        </section>
      )}
    </>
  );
}

function Weights() {
  const { T, scheduleKind, linearScaled, t } = usePlayground(
    useShallow((s) => ({
      T: s.T,
      scheduleKind: s.scheduleKind,
      linearScaled: s.linearScaled,
      t: s.t,
    })),
  );
  // A learned Σ_θ has no single w_t (it is per pixel): the weights are shown for β̃ then.
  const chosen = useLikelihood((s) => s.settings.variance);
  const variance: VlbVariance = chosen === 'learned' ? 'betaTilde' : chosen;
  const points = useMemo(
    () => weightPoints(T, variance, linearScaled),
    [T, variance, linearScaled],
  );
  const schedule = useMemo(
    () =>
      makeSchedule({
        kind: scheduleKind,
        T,
        scaled: scheduleKind === 'linear' && linearScaled && T > 20,
      }),
    [scheduleKind, T, linearScaled],
  );
  const i = Math.min(Math.max(t, 1), T - 1);
  const beta = schedule.betas[i];
  const sigma2 = variance === 'beta' ? beta : schedule.posteriorVariance[i];
  const w = vlbWeight(schedule, i, variance);
  const sig = (v: number) => v.toPrecision(4);
  return (
    <section aria-label="ELBO weights">
      <WeightsChart points={points} variance={VARIANCE_LABEL[variance]} />
      <Tex
        expr={String.raw`w_t = \frac{\beta_t^2}{2\sigma_t^2\,\alpha_t\,(1-\bar\alpha_t)} = \frac{${sig(beta)}^2}{2\cdot ${sig(sigma2)}\cdot ${sig(1 - beta)}\cdot ${sig(1 - schedule.alphaBars[i])}} = ${sig(w)}\quad\text{at } t = ${i + 1}\text{ (${scheduleKind})}`}
        display
      />
      {chosen === 'learned' && (
        <p className="muted" data-testid="learned-sigma-note">
          A learned Σ_θ = exp(v·log β_t + (1 − v)·log β̃_t) (Nichol &amp; Dhariwal 2021, eq. 15) has
          its own σ_t² per pixel, between β̃_t and β_t, so it has no single w_t: the weights above
          are for σ² = β̃_t. Look for a smaller bound than with β̃ or β where the model learned v.
        </p>
      )}
    </section>
  );
}

function Explanation() {
  return (
    <aside className="explain">
      <p>
        A diffusion model is a latent-variable model, so its log-likelihood has a variational bound
        (Ho et al. 2020, eq. 5), a sum of one term per timestep:
      </p>
      <Tex
        expr={String.raw`-\log p_\theta(x_0) \le \underbrace{D_{KL}(q(x_T|x_0)\,\|\,p(x_T))}_{L_T} + \sum_{t=2}^{T}\underbrace{D_{KL}(q(x_{t-1}|x_t,x_0)\,\|\,p_\theta(x_{t-1}|x_t))}_{L_{t-1}} \underbrace{- \log p_\theta(x_0|x_1)}_{L_0}`}
        display
      />
      <p>
        Each L<sub>t−1</sub> compares two Gaussians: the posterior q(x<sub>t−1</sub> | x<sub>t</sub>
        , x<sub>0</sub>) (eq. 6–7) and the model&apos;s step with variance σ<sub>t</sub>² = β
        <sub>t</sub> or β̃<sub>t</sub>. Their means differ only through the predicted noise, so (eq.
        12)
      </p>
      <Tex
        expr={String.raw`L_{t-1} = w_t\,\lVert \epsilon - \epsilon_\theta(x_t, t)\rVert^2 + \text{const},\qquad w_t = \frac{\beta_t^2}{2\sigma_t^2\alpha_t(1-\bar\alpha_t)}`}
        display
      />
      <p>
        L<sub>simple</sub>, which every model here is trained with, sets w<sub>t</sub> = 1 and
        averages over pixels: it spends far less effort on the smallest t than the bound would. L
        <sub>0</sub> is a discretised Gaussian over the 256 pixel levels (eq. 13), so the bound is a
        real number of bits: divided by the number of pixel values D and ln 2 it is{' '}
        <strong>bits per dimension</strong> (8 would be uniform noise).
      </p>
      <p>
        <strong>What to look for:</strong> almost all of the bound sits at small t — the decoder and
        the first few KL terms, where the model must get every pixel exactly right — while the large
        t, where x<sub>t</sub> is nearly noise, add almost nothing. The running estimate draws a few
        t from every part of the range first (strata spaced on a log scale), so it is usable long
        before all T network passes are done.
      </p>
      <p>
        <strong>For scale:</strong> DDPM&apos;s CIFAR-10 model, trained with L<sub>simple</sub>, has
        NLL ≤ 3.75 bits/dim (Ho et al. 2020, Table 2); Improved DDPM reaches 2.94 on CIFAR-10 by
        learning Σ<sub>θ</sub> and optimising the bound (Nichol &amp; Dhariwal 2021). Those models
        have 35M parameters or more; the ones here have about one hundredth of that, and MNIST is a
        different data set (normalising flows report about 1 bit/dim on dequantised MNIST).
      </p>
    </aside>
  );
}

export function LikelihoodView() {
  const model = useTraining((s) => s.model);
  return (
    <section className="view" aria-labelledby="likelihood-title">
      <h2 id="likelihood-title">Likelihood: the ELBO term by term</h2>
      {!model && (
        <p role="status" className="muted">
          Waiting for a model: the pretrained MNIST model loads at start.
        </p>
      )}
      <Controls />
      <Progress />
      <Results />
      <LearnedSigmaPanel />
      <Weights />
      <Explanation />
    </section>
  );
}
