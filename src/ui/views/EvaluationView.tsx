// The guidance trade-off, measured live: class-balanced DDIM samples (Song et al. 2021) of the
// model in use at each guidance scale s of ε̃ = ε_u + s·(ε_c − ε_u) (Ho & Salimans 2022), scored
// by the project's classifier for the model's data set (MNIST or CIFAR-10): its accuracy, the
// Fréchet distance of its features to real test images (Heusel et al. 2017) and the samples'
// within-class diversity.
import { useShallow } from 'zustand/react/shallow';
import { useEvaluation, SAMPLE_COUNTS, type EvaluationSettings } from '../evaluationStore';
import { cancelEvaluation, cannotJudge, runEvaluation } from '../evaluationActions';
import {
  formatSeconds,
  MAX_CLASSIFIER_SCALE_EVAL,
  MAX_SCALE,
  parseScales,
  tradeoffPoints,
} from '../evaluationFormat';
import { useTraining } from '../trainingStore';
import { useClassNoun } from '../useClassNoun';
import { usePlayground } from '../store';
import { usePretrained } from '../pretrainedStore';
import { loadPretrained } from '../modelActions';
import { Tex } from '../components/Tex';
import { TradeoffChart } from '../components/TradeoffChart';
import { DiversityChart } from '../components/DiversityChart';
import { PerClassTable, ResultsTable, SampleStrips } from '../components/EvaluationTables';
import { SamplerCostPanel } from '../components/SamplerCostPanel';

const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/** Its own component: it re-renders on every denoising step, the rest of the view does not. */
function EvaluationProgressBar() {
  const { progress, left, cancelling, judge } = useEvaluation(
    useShallow((s) => ({
      progress: s.progress,
      left: s.secondsLeft,
      cancelling: s.cancelling,
      judge: s.judge,
    })),
  );
  const fraction = progress?.fraction ?? 0;
  const what = cancelling
    ? 'stopping after this step…'
    : !progress
      ? judge
        ? 'starting…'
        : 'loading the judge…'
      : `s = ${progress.guidanceScale}: ${progress.imagesDone} of ${progress.samplesPerScale} ` +
        `images done, step ${progress.stepsDone} of ${progress.totalSteps}`;
  return (
    <div className="progress-row">
      <progress aria-label="Evaluation progress" value={fraction} max={1} />
      <span data-testid="eval-progress">
        {Math.round(100 * fraction)}% · {what}
        {left !== null && !cancelling ? ` · about ${formatSeconds(left)} left` : ''}
      </span>
    </div>
  );
}

function Controls({ disabled }: { disabled: boolean }) {
  const { settings, setSettings, running, cancelling } = useEvaluation(
    useShallow((s) => ({
      settings: s.settings,
      setSettings: s.setSettings,
      running: s.running,
      cancelling: s.cancelling,
    })),
  );
  const T = useTraining((s) => s.model?.schedule.T ?? 1000);
  const backend = usePlayground((s) => s.backend);
  const both = settings.guidanceMethod === 'both';
  const parsed = parseScales(
    settings.scalesText,
    settings.guidanceMethod === 'classifier' ? MAX_CLASSIFIER_SCALE_EVAL : MAX_SCALE,
  );
  const parsedClassifier = both
    ? parseScales(settings.classifierScalesText, MAX_CLASSIFIER_SCALE_EVAL)
    : null;
  const scaleCount = (parsed.scales?.length ?? 0) + (parsedClassifier?.scales?.length ?? 0);
  const scaleError = parsed.error ?? parsedClassifier?.error ?? null;
  const { noun } = useClassNoun();
  return (
    <>
      <div className="controls">
        <label>
          Samples per scale
          <select
            aria-label="Samples per scale"
            value={settings.samplesPerScale}
            disabled={running}
            onChange={(e) => setSettings({ samplesPerScale: Number(e.target.value) })}
          >
            {SAMPLE_COUNTS.map((n) => (
              <option key={n} value={n}>
                {n} ({n / 10} per {noun})
              </option>
            ))}
          </select>
        </label>
        <label>
          DDIM steps
          <input
            type="number"
            aria-label="DDIM steps"
            min={1}
            max={T}
            value={settings.steps}
            disabled={running}
            onChange={(e) => {
              const v = Math.round(Number(e.target.value));
              if (v >= 1 && v <= T) setSettings({ steps: v });
            }}
          />
          <small className="muted">t = round(linspace(T−1, 0, steps)), x̂₀ clipped to [−1, 1]</small>
        </label>
        <label className="advanced">
          Seed
          <input
            type="number"
            aria-label="Evaluation seed"
            min={0}
            value={settings.seed}
            disabled={running}
            onChange={(e) => setSettings({ seed: Math.max(0, Math.round(Number(e.target.value))) })}
          />
        </label>
        <label>
          Guidance method
          <select
            aria-label="Evaluated guidance"
            value={settings.guidanceMethod}
            disabled={running}
            onChange={(e) =>
              setSettings({
                guidanceMethod: e.target.value as EvaluationSettings['guidanceMethod'],
              })
            }
          >
            <option value="classifier-free">classifier-free: ε̃ = ε_u + s(ε_c − ε_u)</option>
            <option value="classifier">
              classifier (Dhariwal &amp; Nichol 2021): ε′ = ε_u − √(1−ᾱ_t)·s·∇log p(y|x_t)
            </option>
            <option value="both">both, side by side (same noise and classes)</option>
          </select>
        </label>
        <label>
          {both ? 'Classifier-free scales s' : 'Guidance scales s'}
          <input
            type="text"
            aria-label="Guidance scales"
            aria-invalid={parsed.error !== null}
            aria-describedby="eval-scales-help"
            inputMode="decimal"
            spellCheck={false}
            value={settings.scalesText}
            disabled={running}
            onChange={(e) => setSettings({ scalesText: e.target.value })}
          />
        </label>
        {both && (
          <label>
            Classifier scales s
            <input
              type="text"
              aria-label="Classifier scales"
              aria-invalid={parsedClassifier?.error != null}
              aria-describedby="eval-scales-help"
              inputMode="decimal"
              spellCheck={false}
              value={settings.classifierScalesText}
              disabled={running}
              onChange={(e) => setSettings({ classifierScalesText: e.target.value })}
            />
          </label>
        )}
      </div>
      <p id="eval-scales-help" className={scaleError ? 'error' : 'muted'}>
        {scaleError ??
          `${scaleCount} scale${scaleCount === 1 ? '' : 's'} × ${settings.samplesPerScale} ` +
            `samples × ${settings.steps} steps; every scale${both ? ' of both methods' : ''} ` +
            'starts from the same noise.'}
      </p>
      <div className="controls">
        <button
          type="button"
          onClick={() => void runEvaluation()}
          disabled={disabled || running || !backend || scaleError !== null}
        >
          Run evaluation
        </button>
        <button type="button" onClick={cancelEvaluation} disabled={!running || cancelling}>
          Cancel
        </button>
      </div>
    </>
  );
}

/** Why this model cannot be judged, with the way out. */
function ModelNotice({ why }: { why: string }) {
  const loading = usePretrained((s) => s.loading.includes('mnist'));
  return (
    <p role="status" data-testid="eval-unavailable">
      {why}{' '}
      <button type="button" disabled={loading} onClick={() => void loadPretrained('mnist')}>
        {loading ? 'Loading the MNIST model…' : 'Load pretrained MNIST'}
      </button>
    </p>
  );
}

function Results() {
  const { results, judge, error, note, modelLabel, running, summary, comparison, method } =
    useEvaluation(
      useShallow((s) => ({
        comparison: s.comparison,
        method: s.resultsMethod,
        results: s.results,
        judge: s.judge,
        error: s.error,
        note: s.note,
        modelLabel: s.modelLabel,
        running: s.running,
        summary: s.summary,
      })),
    );
  const other = comparison
    ? { label: `${comparison.method} guidance`, points: tradeoffPoints(comparison.results) }
    : null;
  const { noun, isCifar } = useClassNoun();
  return (
    <>
      {error && (
        <p role="alert" className="error" data-testid="eval-error">
          {error}
        </p>
      )}
      {running && <EvaluationProgressBar />}
      {note && (
        <p role="status" className="muted" data-testid="eval-note">
          {note}
        </p>
      )}
      {results.length > 0 && (
        <section aria-label="Evaluation results" data-testid="eval-results">
          <p className="muted" data-testid="eval-caption">
            {modelLabel}: {results[0].samples} samples per scale,{' '}
            {comparison?.sameRun
              ? 'classifier-free and classifier guidance side by side (the same noise and classes; each s is its own method’s scale)'
              : `${method} guidance`}
            {summary ? `, DDIM ${summary.settings.steps} steps, seed ${summary.settings.seed}` : ''}
            . {running ? 'More scales are on their way.' : ''}
          </p>
          <div className="eval-grid">
            <div>
              {comparison?.sameRun && <h3>Classifier-free guidance</h3>}
              <ResultsTable results={results} />
              {comparison && comparison.results.length > 0 && (
                <>
                  <h3>
                    {comparison.method === 'classifier' ? 'Classifier' : 'Classifier-free'} guidance
                    {comparison.sameRun ? '' : ' (the last run)'}
                  </h3>
                  <ResultsTable
                    results={comparison.results}
                    label={`Results per scale, ${comparison.method} guidance`}
                    prefix={comparison.method === 'classifier' ? 'cg-' : 'cfg-'}
                  />
                </>
              )}
            </div>
            <TradeoffChart points={tradeoffPoints(results)} comparison={other} />
            <DiversityChart
              points={tradeoffPoints(results)}
              label={`${method} guidance`}
              comparison={other}
            />
          </div>
          <h3>Accuracy per {noun}</h3>
          <PerClassTable results={results} classNames={judge?.classNames ?? DIGITS} noun={noun} />
          <h3>The first sample of each {noun}, per scale</h3>
          <SampleStrips
            results={results}
            channels={isCifar ? 3 : 1}
            classNames={judge?.classNames ?? DIGITS}
          />
          {comparison?.sameRun && comparison.results.length > 0 && (
            <>
              <h3>The same with classifier guidance, per classifier scale</h3>
              <SampleStrips
                results={comparison.results}
                prefix="cg-"
                channels={isCifar ? 3 : 1}
                classNames={judge?.classNames ?? DIGITS}
              />
            </>
          )}
        </section>
      )}
    </>
  );
}

function Explanation() {
  const judge = useEvaluation((s) => s.judge);
  const { noun, nouns, isCifar } = useClassNoun();
  const accuracy = judge?.testAccuracy
    ? `${(100 * judge.testAccuracy.overall).toFixed(2)}%`
    : isCifar
      ? 'most'
      : '99.34%';
  const count = judge?.referenceCount ?? 10_000;
  const featureDim = judge?.featureDim ?? (isCifar ? 192 : 64);
  return (
    <aside className="explain">
      <p>
        Classifier-free guidance mixes the network&apos;s two noise predictions, with the class (ε
        <sub>c</sub>) and with the null class (ε<sub>u</sub>):
      </p>
      <Tex expr={String.raw`\tilde\epsilon = \epsilon_u + s\,(\epsilon_c - \epsilon_u)`} display />
      <p>
        s = 0 ignores the class (unconditional samples: the {noun} asked for comes up only by
        chance, about 1 in 10), s = 1 is the plain conditional model, and s &gt; 1 pushes past it
        towards whatever makes the class most recognisable (Ho &amp; Salimans 2022; their w is s −
        1).
      </p>
      <p>
        Classifier guidance (Dhariwal &amp; Nichol 2021, Alg. 2), the method classifier-free
        guidance replaced, runs the model on its null class and lets a noise-aware classifier p
        <sub>φ</sub>(y | x<sub>t</sub>, t) steer it along its gradient:
      </p>
      <Tex
        expr={String.raw`\epsilon' = \epsilon_u - \sqrt{1-arlpha_t}\; s\, 
abla_{x_t} \log p_\phi(y \mid x_t, t)`}
        display
      />
      <p>
        Choose <em>both, side by side</em> to measure the two in one run from the same noise and
        classes: at s = 0 both are the unconditional model (the same samples); look for which method
        reaches high accuracy while keeping the Fréchet distance low and the diversity near 1.
      </p>
      <p>
        <strong>The judge</strong> is a small convolutional network trained by this project to
        recognise {isCifar ? 'the ten CIFAR-10 classes' : 'MNIST digits'}; it is right on {accuracy}{' '}
        of the {count.toLocaleString('en')} test images. <strong>Accuracy</strong> is how often it
        sees the {noun} that was asked for (chance: 10%). Every scale uses the same starting noise
        and the same labels (five of each {noun} at 50 samples), so the differences come from
        guidance alone.
      </p>
      <p>
        <strong>Fréchet distance</strong> compares the judge&apos;s {featureDim}-number feature
        vectors of the samples with those of the {count.toLocaleString('en')} real test {nouns},
        each summarised as a Gaussian (mean μ, covariance Σ), as FID does with Inception features
        (Heusel et al. 2017):
      </p>
      <Tex
        expr={String.raw`\mathrm{FD} = \lVert \mu_g - \mu_r \rVert^2 + \operatorname{Tr}\big(\Sigma_g + \Sigma_r - 2\,(\Sigma_g \Sigma_r)^{1/2}\big)`}
        display
      />
      <p>
        Lower is closer to real {nouns}: it falls when samples look right and rises when they are
        all alike. With only a few dozen samples the estimate of Σ<sub>g</sub> is noisy and FD is
        biased upwards, so compare numbers only at the same sample count.
      </p>
      <p>
        <strong>Diversity</strong> is the mean distance between the judge&apos;s features of two
        samples of the same {noun}, divided by the same for real {nouns}: 1 means as varied as the
        data, below 1 means the samples look alike, above 1 that they are more scattered than real{' '}
        {nouns} (often because many are malformed). Strong guidance typically raises accuracy and
        lowers diversity: that is the trade-off.
      </p>
    </aside>
  );
}

export function EvaluationView() {
  const model = useTraining((s) => s.model);
  const pretrainedLoading = usePretrained((s) => s.loading.length > 0);
  const why = cannotJudge(model);
  return (
    <section className="view" aria-labelledby="evaluation-title">
      <h2 id="evaluation-title">Guidance trade-off: recognisable against varied</h2>
      {why && !pretrainedLoading && <ModelNotice why={why} />}
      {pretrainedLoading && (
        <p role="status" className="muted">
          Loading the pretrained model…
        </p>
      )}
      <Controls disabled={why !== null} />
      <Results />
      <SamplerCostPanel disabled={why !== null} />
      <Explanation />
    </section>
  );
}
