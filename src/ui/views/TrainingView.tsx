// Training: a small U-Net learns to predict the noise, live, in the worker (Ho et al. 2020,
// Alg. 1 with the L_simple loss, eq. 14, and label dropout for classifier-free guidance).
import { useEffect, useState } from 'react';
import * as Comlink from 'comlink';
import { usePlayground } from '../store';
import { secondsLeft, useTraining, type TrainingSettings } from '../trainingStore';
import { getWorker } from '../workerClient';
import { ensureModel, reportErrors } from '../modelActions';
import { UNetDiagram } from '../components/UNetDiagram';
import { ModelPanel } from '../components/ModelPanel';
import { useThrottled } from '../useThrottled';
import { ImageGrid } from '../components/ImageGrid';
import { BucketChart, LossChart } from '../components/TrainingCharts';
import type { TrainingConfig, TrainingEvent } from '../../worker/api';
import { useSession } from '../sessionStore';
import { pickTrainingDefaults } from '../trainingDefaults';
import { LossWeightingNote, LossWeightingSelect } from '../components/LossWeighting';
import { describeTrainingSplit } from '../samplingSplit';

/** Until the user edits a setting, the defaults follow the backend and its measured speed. */
function useSpeedDefaults() {
  const backend = usePlayground((s) => s.backend?.backend ?? null);
  const software = usePlayground((s) => s.backend?.adapter?.software ?? false);
  const gflops = useTraining((s) => s.measuredGflops);
  const edited = useTraining((s) => s.edited);
  const running = useTraining((s) => s.state === 'running');
  useEffect(() => {
    if (!backend || edited || running) return;
    const picked = pickTrainingDefaults(backend, gflops, software);
    useTraining.getState().applyDefaults(picked.settings, picked.reason);
  }, [backend, gflops, software, edited, running]);
}

const PREVIEW_COUNT = 10;
const PREVIEW_RANGE = [-1, 1] as const;

function toConfig(s: TrainingSettings): TrainingConfig {
  return {
    batchSize: s.batchSize,
    learningRate: s.learningRate,
    lossWeighting: s.lossWeighting,
    pUncond: s.pUncond,
    targetSteps: s.targetSteps,
    reportEvery: 5,
    warmupSteps: Math.min(100, Math.max(1, Math.floor(s.targetSteps / 10))),
    previewEvery: s.previewEvery,
    previewCount: PREVIEW_COUNT,
    previewSteps: 20,
  };
}

const listener = Comlink.proxy((e: TrainingEvent) => useTraining.getState().onEvent(e));

function formatSeconds(s: number): string {
  if (s < 60) return `${Math.round(s)} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${Math.round(s % 60)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

function NumberField(props: {
  label: string;
  value: number;
  min: number;
  max: number;
  step: number;
  onChange: (v: number) => void;
  disabled?: boolean;
  /** Hidden in classroom mode (set up before class, not driven live). */
  advanced?: boolean;
}) {
  const { label, value, min, max, step, onChange, disabled, advanced } = props;
  return (
    <label className={advanced ? 'advanced' : undefined}>
      {label}
      <input
        type="number"
        aria-label={label}
        value={value}
        min={min}
        max={max}
        step={step}
        disabled={disabled}
        onChange={(e) => {
          const v = Number(e.target.value);
          if (Number.isFinite(v) && v >= min && v <= max) onChange(v);
        }}
      />
    </label>
  );
}

/** Its own component so the once-a-second clock re-renders only this line. */
function TimeLeft() {
  const progress = useTraining((s) => s.progress);
  const runStart = useTraining((s) => s.runStart);
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    const id = setInterval(() => setNow(performance.now()), 1000);
    return () => clearInterval(id);
  }, []);
  const left = secondsLeft(progress, runStart, now);
  return left === null ? null : <span className="muted">about {formatSeconds(left)} left</span>;
}

/** Numbers under the progress bar; re-renders on progress only. */
function TrainingStats() {
  const progress = useTraining((s) => s.progress);
  const weighted = useTraining((s) => s.settings.lossWeighting !== 'uniform');
  const backend = usePlayground((s) => s.backend);
  const split = describeTrainingSplit(progress?.split);
  return (
    <dl className="stats">
      <div>
        <dt>loss (per-pixel mean{weighted ? ', min-SNR-weighted' : ''})</dt>
        <dd data-testid="loss-value">{progress ? progress.loss.toFixed(4) : '–'}</dd>
      </div>
      <div>
        <dt>smoothed</dt>
        <dd>{progress ? progress.smoothedLoss.toFixed(4) : '–'}</dd>
      </div>
      <div>
        <dt>images/s</dt>
        <dd>
          {progress ? progress.imagesPerSecond.toFixed(1) : '–'}
          {split && (
            <span
              className="muted"
              data-testid="training-split"
              title="Each worker computes the gradient of its images' loss; the compute worker adds them up, weighted by their share of the batch, and takes the Adam step once."
            >
              {' '}
              · {split}
            </span>
          )}
        </dd>
      </div>
      <div>
        <dt>backend</dt>
        <dd>{backend?.backend ?? '–'}</dd>
      </div>
      <div>
        <dt>memory</dt>
        <dd>
          {progress
            ? `${progress.memory.numTensors} tensors, ${(progress.memory.numBytes / 2 ** 20).toFixed(1)} MB`
            : '–'}
        </dd>
      </div>
    </dl>
  );
}

const NO_BUCKETS: (number | null)[] = new Array<null>(10).fill(null);

/** Loss curve, loss by t and the preview grid; each part re-renders only when its data changes. */
function TrainingCharts() {
  // Charts redraw at most once a second, each in its own task (see useThrottled).
  const losses = useThrottled(
    useTraining((s) => s.losses),
    1000,
  );
  const buckets = useThrottled(
    useTraining((s) => s.progress?.lossByBucket ?? NO_BUCKETS),
    1000,
  );
  const T = useTraining((s) => s.model?.schedule.T ?? 1000);
  const preview = useTraining((s) => s.preview);
  const previewEvery = useTraining((s) => s.settings.previewEvery);
  const weighted = useTraining((s) => s.settings.lossWeighting !== 'uniform');
  return (
    <div className="chart-grid training-charts">
      <LossChart points={losses} weighted={weighted} />
      <BucketChart buckets={buckets} T={T} weighted={weighted} />
      <figure className="chart" data-testid="preview-panel">
        <figcaption>
          <strong>Samples</strong> from the same noise
          {preview ? ` at step ${preview.step}` : ''}{' '}
          <span data-testid="preview-weights">
            {preview
              ? preview.weights === 'ema'
                ? '(EMA weights)'
                : `(raw weights; EMA from step ${preview.emaFromStep})`
              : ''}
          </span>
        </figcaption>
        {preview ? (
          <ImageGrid
            data={preview.data}
            shape={preview.shape}
            range={PREVIEW_RANGE}
            label={`step ${preview.step}: DDIM 20 steps, classes 0–9`}
            cols={5}
            width="100%"
            testId="preview-grid"
          />
        ) : (
          <p className="muted">
            {previewEvery > 0
              ? `A grid appears every ${previewEvery} steps while training runs.`
              : 'Previews are off (Preview every = 0).'}
          </p>
        )}
      </figure>
    </div>
  );
}

export function TrainingView() {
  const { dataset, setDataset, backend } = usePlayground();
  const settings = useTraining((x) => x.settings);
  const setSettings = useTraining((x) => x.setSettings);
  const state = useTraining((x) => x.state);
  const error = useTraining((x) => x.error);
  const step0 = useTraining((x) => x.progress?.step ?? 0);
  const target = useTraining((x) => x.progress?.targetSteps ?? x.settings.targetSteps);
  const running = state === 'running';
  const pretrainedInUse = useTraining((x) => x.model?.origin === 'pretrained');
  const defaultsReason = useTraining((x) => (x.edited ? null : x.defaultsReason));
  const learnSigma = useTraining((x) => x.learnSigma);
  useSpeedDefaults();

  // Train and Step stay disabled while their call is in flight (the worker also joins a second
  // start to the first: see singleFlight.ts).
  const [starting, setStarting] = useState(false);
  const kept = useSession((x) => x.kept);
  const once = async (action: () => Promise<void>) => {
    if (starting) return;
    setStarting(true);
    try {
      await reportErrors(action);
    } finally {
      setStarting(false);
    }
  };
  const train = () =>
    once(async () => {
      await ensureModel(dataset, settings.preset, learnSigma);
      await getWorker().startTraining(toConfig(settings), listener);
    });
  const pause = () => reportErrors(() => getWorker().pauseTraining());
  const step = () =>
    once(async () => {
      await ensureModel(dataset, settings.preset, learnSigma);
      const p = await getWorker().stepTraining(toConfig(settings), listener);
      useTraining.getState().onEvent({ type: 'progress', progress: p });
    });
  const setLearningRate = (lr: number) => {
    setSettings({ learningRate: lr });
    if (running) void reportErrors(() => getWorker().setLearningRate(lr));
  };

  return (
    <section className="view" aria-labelledby="training-title">
      <h2 id="training-title">Training: teaching a U-Net to predict the noise</h2>
      <div className="controls">
        <label>
          Dataset
          <select
            aria-label="Dataset"
            value={dataset}
            disabled={running}
            onChange={(e) => setDataset(e.target.value as typeof dataset)}
          >
            <option value="mnist">MNIST digits</option>
            <option value="cifar10">CIFAR-10 photos</option>
          </select>
        </label>
        <label className="advanced">
          Model size
          <select
            aria-label="Model size"
            value={settings.preset}
            disabled={running}
            onChange={(e) => setSettings({ preset: e.target.value as TrainingSettings['preset'] })}
          >
            <option value="tiny">tiny (fast, blurry)</option>
            <option value="small">small</option>
            <option value="medium">medium (needs a GPU)</option>
          </select>
        </label>
        <label
          className="advanced"
          title="Improved DDPM (Nichol & Dhariwal 2021): the U-Net also outputs v, Σ_θ = exp(v·log β_t + (1−v)·log β̃_t) (eq. 15), trained on L_hybrid = L_simple + 0.001·L_vlb with the mean's gradient stopped in L_vlb (eq. 16). Applies to a new model; sample it with σ² = learned."
        >
          <input
            type="checkbox"
            aria-label="Learn Σ"
            checked={learnSigma}
            disabled={running}
            onChange={(e) => useTraining.getState().setLearnSigma(e.target.checked)}
          />
          Learn Σ_θ (L_hybrid)
        </label>
        <NumberField
          label="Batch size"
          advanced
          value={settings.batchSize}
          min={1}
          max={256}
          step={1}
          disabled={running}
          onChange={(v) => setSettings({ batchSize: Math.round(v) })}
        />
        <NumberField
          label="Learning rate"
          value={settings.learningRate}
          min={1e-6}
          max={1e-1}
          step={1e-5}
          onChange={setLearningRate}
        />
        <LossWeightingSelect disabled={running} />
        <NumberField
          label="p_uncond"
          advanced
          value={settings.pUncond}
          min={0}
          max={1}
          step={0.05}
          disabled={running}
          onChange={(v) => setSettings({ pUncond: v })}
        />
        <NumberField
          label="Steps to train"
          advanced
          value={settings.targetSteps}
          min={1}
          max={1_000_000}
          step={100}
          disabled={running}
          onChange={(v) => setSettings({ targetSteps: Math.round(v) })}
        />
        <NumberField
          label="Preview every"
          advanced
          value={settings.previewEvery}
          min={0}
          max={100_000}
          step={10}
          disabled={running}
          onChange={(v) => setSettings({ previewEvery: Math.round(v) })}
        />
      </div>
      <div className="controls">
        <button
          type="button"
          onClick={() => void train()}
          disabled={running || starting || !backend}
        >
          Train
        </button>
        <button type="button" onClick={() => void pause()} disabled={!running}>
          Pause
        </button>
        <button
          type="button"
          onClick={() => void step()}
          disabled={running || starting || !backend}
        >
          Step
        </button>
        <button
          type="button"
          className="advanced"
          disabled={running}
          onClick={() => {
            if (!backend) return;
            const picked = pickTrainingDefaults(
              backend.backend,
              useTraining.getState().measuredGflops,
              backend.adapter?.software ?? false,
            );
            useTraining.getState().applyDefaults(picked.settings, picked.reason);
          }}
        >
          Default settings
        </button>
        <span className="muted" data-testid="training-state">
          {state}
        </span>
      </div>
      {defaultsReason && (
        <p className="muted advanced" data-testid="training-defaults">
          Defaults for this machine ({defaultsReason}): the {settings.preset} model, batch{' '}
          {settings.batchSize}, a preview every {settings.previewEvery} steps.
        </p>
      )}
      {pretrainedInUse && (
        <p className="muted" data-testid="pretrained-training-note">
          The model in use is pretrained: Train and Step start a new {settings.preset} model from
          scratch, so you can watch it learn (load the pretrained one again below).
        </p>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {kept && (
        <p className="muted" data-testid="session-kept">
          Kept automatically in this browser at step {kept.trainingSteps}: after a reload, “Resume
          last session” brings it back. The page asks before you leave while it trains.
        </p>
      )}
      <div className="progress-row">
        <progress aria-label="Training progress" value={step0} max={Math.max(1, target)} />
        <span data-testid="step-counter">
          step {step0} of {target}
        </span>
        {running && <TimeLeft />}
      </div>
      <TrainingStats />
      <TrainingCharts />
      <UNetDiagram />
      <ModelPanel />
      <aside className="explain">
        <p>
          Each step takes a batch of images x<sub>0</sub>, picks a random t for each, noises them in
          one jump, and asks the network for the noise ε it added. The loss is the squared error of
          Ho et al. 2020, eq. 14, averaged over the image&apos;s D pixel values (D = 784 for MNIST,
          3072 for CIFAR-10) and the batch: (1/D)‖ε − ε<sub>θ</sub>(x<sub>t</sub>, t)‖², so a
          network that always predicts ε = 0 scores 1. With probability p_uncond the class label is
          replaced by a “null” label, so one network learns both the conditional and the
          unconditional prediction that classifier-free guidance combines (Ho &amp; Salimans 2022).
        </p>
        <p>
          The bar chart shows why the loss never reaches zero: at small t the noise is tiny and hard
          to tell from the image, so those buckets stay high; at large t the image is nearly all
          noise and ε is easy to read off. Samples use an exponential moving average (EMA) of the
          weights, which is smoother than the weights themselves; it averages over about 1000 steps,
          so the first previews of a run use the raw weights and say so.
        </p>
        <LossWeightingNote />
      </aside>
    </section>
  );
}
