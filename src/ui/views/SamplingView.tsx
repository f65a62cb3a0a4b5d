// Reverse sampling: from pure noise x_T to an image, one denoising step at a time (Ho et al.
// 2020, Alg. 2; Song et al. 2021, DDIM eq. 12), with classifier-free guidance
// ε̃ = ε_u + s·(ε_c − ε_u) (Ho & Salimans 2022) and a slider for s that acts on the next step.
import { useEffect, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { download, trajectoryGif } from '../exportGif';
import { frameAtStep, useSampling } from '../samplingStore';
import { useTraining } from '../trainingStore';
import { usePlayground } from '../store';
import {
  pause,
  play,
  setClassifierScale,
  setGuidanceScale,
  startRun,
  stepBack,
  stepForward,
} from '../samplingActions';
import { ClassifierGuidancePanel } from '../components/ClassifierGuidancePanel';
import { NoisyClassifierPanel } from '../components/NoisyClassifierPanel';
import {
  MAX_CLASSIFIER_SCALE,
  MAX_LANGEVIN_STEPS_UI,
  MIN_SNR,
  type GuidanceMethodName,
} from '../validation';
import { ImageGrid } from '../components/ImageGrid';
import { Tex } from '../components/Tex';
import { ModelPanel } from '../components/ModelPanel';
import { PlaySpeed } from '../components/PlaySpeed';
import { PosteriorPanel } from '../components/PosteriorPanel';
import { SamplerComparison } from '../components/SamplerComparison';
import { useAutoModel } from '../useAutoModel';
import { usePretrained } from '../pretrainedStore';
import { DATASET_TITLES, PRETRAINED, offerPretrained } from '../pretrainedModels';
import { loadPretrained } from '../modelActions';
import { mark } from '../timings';
import { describeSplit, describeSplitShort } from '../samplingSplit';
import type { DatasetName, SamplingFrame } from '../../worker/api';
import { difference, maxAbs, stretchPerImage } from '../pixelMaps';
import {
  ScoreSamplerFormula,
  SCORE_SAMPLER_LABELS,
  scoreNfeText,
} from '../components/ScoreSamplerFormula';
import { isScoreSamplerName, SCORE_SAMPLER_NAMES, type SamplerName } from '../validation';
import { VarianceSelect } from '../components/VarianceSelect';

const DATA = [-1, 1] as const;
const NOISE = [-3, 3] as const;
const EMPTY = new Float32Array(0);

function one(data: Float32Array | null, i: number, size: number): Float32Array | null {
  return data ? data.subarray(i * size, (i + 1) * size) : null;
}

const BEFORE_FIRST_STEP = 'appears after the first step';

/** ε_uncond, ε_cond, the guided ε and the amplified difference ε_c − ε_u for the first image. */
function GuidancePanel(props: {
  frame: SamplingFrame;
  single: [number, number, number, number] | null;
  size: number;
}) {
  const { frame, single, size } = props;
  const diff =
    frame.epsCond && frame.epsUncond
      ? difference(one(frame.epsCond, 0, size) ?? EMPTY, one(frame.epsUncond, 0, size) ?? EMPTY)
      : null;
  const spread = diff ? maxAbs(diff) : 0;
  return (
    <section className="panel" aria-label="Guidance" data-testid="guidance-panel">
      <h3>Guidance for the first image at this step</h3>
      <Tex
        expr={String.raw`\tilde\epsilon = \epsilon_u + s\,(\epsilon_c - \epsilon_u)${
          frame.stepsDone > 0 ? String.raw`,\quad s = ${frame.guidanceScale}` : ''
        }`}
        display
      />
      <div className="guidance-maps">
        <ImageGrid
          data={one(frame.epsUncond, 0, size)}
          shape={frame.epsUncond ? single : null}
          range={NOISE}
          label="ε_u (null class)"
          width="var(--guidance-map)"
          placeholder={BEFORE_FIRST_STEP}
          testId="eps-uncond"
        />
        <ImageGrid
          data={one(frame.epsCond, 0, size)}
          shape={frame.epsCond ? single : null}
          range={NOISE}
          label="ε_c (the class)"
          width="var(--guidance-map)"
          placeholder={BEFORE_FIRST_STEP}
          testId="eps-cond"
        />
        <ImageGrid
          data={diff}
          shape={diff ? single : null}
          range={[-Math.max(spread, 1e-6), Math.max(spread, 1e-6)]}
          label={diff ? `ε_c − ε_u, stretched to ±${spread.toPrecision(2)}` : 'ε_c − ε_u'}
          width="var(--guidance-map)"
          placeholder={frame.stepsDone > 0 ? 'needs s ≠ 1 and a class' : BEFORE_FIRST_STEP}
          testId="eps-diff"
        />
        <ImageGrid
          data={one(frame.eps, 0, size)}
          shape={frame.eps ? single : null}
          range={NOISE}
          label={`guided ε̃ (s = ${frame.guidanceScale})${frame.clipX0 ? ', before clipping' : ''}`}
          width="var(--guidance-map)"
          placeholder={BEFORE_FIRST_STEP}
          testId="eps-guided"
        />
      </div>
      <p className="muted">
        {frame.stepsDone === 0
          ? 'At x_T no step has run yet: the maps fill in after the first step.'
          : frame.guided
            ? 'The difference map is what s multiplies: where the class changes the prediction.'
            : 'This step used one network pass: guidance is off at s = 1 or without a class.'}
      </p>
    </section>
  );
}

/** Records when the first finished grid reaches the screen (the frame after it is drawn). */
function useFirstGridTiming(done: boolean): number | null {
  const firstGridMs = useSampling((s) => s.firstGridMs);
  useEffect(() => {
    if (!done || firstGridMs !== null) return;
    // requestAnimationFrame runs just before the paint that shows the drawn canvas.
    const id = requestAnimationFrame(() =>
      useSampling.getState().setFirstGridMs(mark('firstGridPainted')),
    );
    return () => cancelAnimationFrame(id);
  }, [done, firstGridMs]);
  return firstGridMs;
}

/** The data set's pretrained model: loading, or offered when the model in use is another one. */
function DatasetModelNotice() {
  const dataset = usePlayground((s) => s.dataset);
  const model = useTraining((s) => s.model);
  const loading = usePretrained((s) => s.loading);
  const { title } = PRETRAINED[dataset];
  if (loading.length > 0) {
    const titles = loading.map((d) => PRETRAINED[d].title).join(' and ');
    return (
      <p role="status" className="muted" data-testid="pretrained-loading">
        Loading the pretrained {titles} model…
      </p>
    );
  }
  if (!model || !offerPretrained(dataset, model)) return null;
  return (
    <p role="status" data-testid="pretrained-offer">
      The data set is {title} but the model in use was trained on {DATASET_TITLES[model.dataset]}.{' '}
      <button type="button" onClick={() => void loadPretrained(dataset)}>
        Load pretrained {title}
      </button>
    </p>
  );
}

/** Its own component: the bar moves every step, and only it needs to re-render for that. */
function SamplingProgressBar() {
  const progress = useSampling((s) => s.progress);
  if (!progress) return null;
  return (
    <div className="progress-row">
      <progress
        aria-label="Sampling progress"
        value={progress.stepsDone}
        max={Math.max(1, progress.totalSteps)}
      />
      <span data-testid="sampling-progress">
        step {progress.stepsDone} of {progress.totalSteps}
      </span>
    </div>
  );
}

/**
 * The update the sampler applies, and what clipping changes in it: with clipping, ε in DDIM's
 * eq. 12 is re-derived from the clipped x̂₀ (improved-diffusion's variant), and DDPM's posterior
 * mean takes the clipped x̂₀ (Ho et al.'s code).
 */
function StepFormula(props: { sampler: 'ddpm' | 'ddim'; clipX0: boolean; t: number | null }) {
  const { sampler, clipX0, t } = props;
  const at = t === null ? '' : String.raw` \qquad \text{this step: } t = ${t}`;
  const update =
    sampler === 'ddim'
      ? String.raw`x_{t'} = \sqrt{\bar\alpha_{t'}}\,\hat x_0 + \sqrt{1-\bar\alpha_{t'}-\sigma^2}\,\epsilon + \sigma z`
      : String.raw`x_{t-1} = \tilde\mu_t(x_t, \hat x_0) + \sigma_t z`;
  return (
    <div className="panel" data-testid="step-formula">
      <Tex
        expr={String.raw`\hat x_0 = ${clipX0 ? String.raw`\mathrm{clip}_{[-1,1]}\Big(` : ''}\frac{x_t - \sqrt{1-\bar\alpha_t}\,\tilde\epsilon}{\sqrt{\bar\alpha_t}}${clipX0 ? String.raw`\Big)` : ''}${at}`}
        display
      />
      <Tex expr={update} display />
      <p className="muted">
        {sampler === 'ddim'
          ? 'DDIM, Song et al. 2021, eq. 12 (t′ is the next step visited). '
          : 'DDPM, Ho et al. 2020, Alg. 2 with the posterior mean of eq. 7. '}
        {clipX0
          ? sampler === 'ddim'
            ? 'Clipping is on: ε here is re-derived from the clipped x̂₀, ε = (x_t − √ᾱ_t x̂₀)/√(1−ᾱ_t) (improved-diffusion’s variant; the paper’s eq. 12 does not clip). The panels show this x̂₀ and this ε.'
            : 'Clipping is on: the mean uses the clipped x̂₀; the ε panel shows the ε that matches it, (x_t − √ᾱ_t x̂₀)/√(1−ᾱ_t).'
          : 'Clipping is off: x̂₀ and ε are the network’s (guided) prediction as is.'}
      </p>
    </div>
  );
}

export function SamplingView() {
  const { settings, setSettings, frames, view, playing, busy, error, note, setView } = useSampling(
    useShallow((s) => ({
      settings: s.settings,
      setSettings: s.setSettings,
      frames: s.frames,
      view: s.view,
      playing: s.playing,
      busy: s.busy,
      error: s.error,
      note: s.note,
      setView: s.setView,
    })),
  );
  const model = useTraining((s) => s.model);
  const backend = usePlayground((s) => s.backend);
  const dataset = usePlayground((s) => s.dataset);
  const setDataset = usePlayground((s) => s.setDataset);
  const pretrainedLoading = usePretrained((s) => s.loading.length > 0);
  useAutoModel();
  const gridRef = useRef<HTMLDivElement>(null);
  const [exporting, setExporting] = useState(false);
  const frame = frames[view] ?? null;
  const last = frames[frames.length - 1] ?? null;
  const classNames = model?.classNames ?? [];
  const conditional = (model?.numClasses ?? 0) > 0;
  const shape = frame?.shape ?? null;
  const single: [number, number, number, number] | null = shape
    ? [1, shape[1], shape[2], shape[3]]
    : null;
  const size = shape ? shape[1] * shape[2] * shape[3] : 0;
  const [stretch, setStretch] = useState(false);
  const firstGridMs = useFirstGridTiming(frame?.done ?? false);

  const exportPng = () => {
    const canvas = gridRef.current?.querySelector('canvas');
    canvas?.toBlob((blob) => {
      if (blob) download(blob, `samples-step${frame?.stepsDone ?? 0}.png`, 'image/png');
    }, 'image/png');
  };
  const exportGif = async () => {
    setExporting(true);
    try {
      download(await trajectoryGif(frames), 'sampling-trajectory.gif', 'image/gif');
    } finally {
      setExporting(false);
    }
  };

  return (
    <section className="view" aria-labelledby="sampling-title">
      <h2 id="sampling-title">Reverse sampling: from noise to an image</h2>
      <div className="controls">
        <label>
          Dataset
          <select
            aria-label="Dataset"
            value={dataset}
            disabled={playing}
            onChange={(e) => setDataset(e.target.value as DatasetName)}
          >
            <option value="mnist">MNIST digits</option>
            <option value="cifar10">CIFAR-10 photos</option>
          </select>
        </label>
        <label>
          Class
          <select
            aria-label="Class"
            value={settings.classIndex}
            disabled={!conditional}
            onChange={(e) => setSettings({ classIndex: Number(e.target.value) })}
          >
            <option value={-1}>unconditional</option>
            {classNames.map((name, i) => (
              <option key={i} value={i}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Guidance
          <select
            aria-label="Guidance"
            value={settings.guidanceMethod}
            disabled={!conditional}
            onChange={(e) => setSettings({ guidanceMethod: e.target.value as GuidanceMethodName })}
          >
            <option value="classifier-free">classifier-free (Ho &amp; Salimans 2022)</option>
            <option value="classifier">classifier (Dhariwal &amp; Nichol 2021)</option>
            <option value="both">both</option>
          </select>
        </label>
        {settings.guidanceMethod !== 'classifier-free' && (
          <label className="guidance">
            <span>
              Classifier scale s ={' '}
              <output data-testid="classifier-scale-value">{settings.classifierScale}</output>
            </span>
            <input
              type="range"
              aria-label="Classifier scale"
              min={0}
              max={MAX_CLASSIFIER_SCALE}
              step={0.5}
              value={settings.classifierScale}
              onChange={(e) => setClassifierScale(Number(e.target.value))}
            />
            <small className="muted">
              g = ∇ log p(y | x_t, t) of a noise-aware classifier; s = 0: no classifier guidance
            </small>
          </label>
        )}
        <label className="guidance">
          <span>
            Guidance scale s ={' '}
            <output data-testid="guidance-value">{settings.guidanceScale}</output>
          </span>
          <input
            type="range"
            aria-label="Guidance scale"
            disabled={settings.guidanceMethod === 'classifier'}
            min={0}
            max={10}
            step={0.5}
            value={settings.guidanceScale}
            onChange={(e) => setGuidanceScale(Number(e.target.value))}
          />
          <small className="muted" data-testid="guidance-convention">
            ε̃ = ε_u + s(ε_c − ε_u): s = 0 unconditional, s = 1 conditional
          </small>
        </label>
        <label>
          Sampler
          <select
            aria-label="Sampler"
            value={settings.sampler}
            onChange={(e) => {
              const sampler = e.target.value as SamplerName;
              // DDPM starts at all T steps (Ho et al.'s Alg. 2); fewer steps respace it. A model
              // with a learned Σ_θ samples with it (Nichol & Dhariwal 2021).
              setSettings(
                sampler === 'ddpm'
                  ? {
                      sampler,
                      steps: model?.schedule.T ?? 1000,
                      ...(model?.learnSigma === true ? { variance: 'learned' as const } : {}),
                    }
                  : { sampler },
              );
            }}
          >
            <option value="ddim">DDIM (Song et al. 2021)</option>
            <option value="ddpm">DDPM (Ho et al. 2020; fewer steps: respaced)</option>
            {/* Score-based samplers (ScoreSamplerFormula.tsx) */}
            {SCORE_SAMPLER_NAMES.map((name) => (
              <option key={name} value={name}>
                {SCORE_SAMPLER_LABELS[name]}
              </option>
            ))}
          </select>
        </label>
        {settings.sampler === 'ddpm' && <VarianceSelect />}
        <label>
          {isScoreSamplerName(settings.sampler) ? 'Levels K' : 'Steps'}
          <input
            type="number"
            aria-label="Sampling steps"
            min={1}
            max={model?.schedule.T ?? 1000}
            value={settings.steps}
            onChange={(e) => {
              const v = Math.round(Number(e.target.value));
              if (v >= 1 && v <= (model?.schedule.T ?? 1000)) setSettings({ steps: v });
            }}
          />
          <small className="muted" data-testid="steps-spacing">
            {settings.sampler === 'annealed-langevin'
              ? 'levels: the model timesteps nearest to a geometric sequence of σ̄ = √((1−ᾱ)/ᾱ) from t = T−1 to 0 (NCSN, Song & Ermon 2019)'
              : settings.sampler === 'ddpm'
                ? settings.steps >= (model?.schedule.T ?? 1000)
                  ? 'all T steps (Ho et al. 2020, Alg. 2); fewer steps respace the schedule'
                  : 'respaced (Nichol & Dhariwal 2021, Sec. 4): the kept t = round(linspace(T−1, 0, steps)) with β′_t = 1 − ᾱ_t/ᾱ_{t′}, the previous kept step t′; σ² from β′ (or β̃′, or Σ_θ)'
                : 't = round(linspace(T−1, 0, steps)): from T−1 down to 0 (diffusers’ “linspace”, Lin et al. 2024)'}
          </small>
          {isScoreSamplerName(settings.sampler) && (
            <small className="muted" data-testid="score-nfe-rule">
              {scoreNfeText(settings.sampler)}
            </small>
          )}
        </label>
        {settings.sampler === 'pc' && (
          <label className="advanced">
            Corrector snr r
            <input
              type="number"
              aria-label="Corrector snr"
              min={MIN_SNR}
              max={1}
              step={0.01}
              value={settings.snr}
              onChange={(e) => {
                const v = Number(e.target.value);
                if (v >= MIN_SNR && v <= 1) setSettings({ snr: v });
              }}
            />
            <small className="muted">
              Langevin step ε = 2(r‖z‖/‖s_θ‖)²·α_t (score_sde: r = 0.16)
            </small>
          </label>
        )}
        {settings.sampler === 'annealed-langevin' && (
          <label className="advanced">
            Langevin steps per level M
            <input
              type="number"
              aria-label="Langevin steps per level"
              min={1}
              max={MAX_LANGEVIN_STEPS_UI}
              value={settings.langevinSteps}
              onChange={(e) => {
                const v = Math.round(Number(e.target.value));
                if (v >= 1 && v <= MAX_LANGEVIN_STEPS_UI) setSettings({ langevinSteps: v });
              }}
            />
            <small className="muted">NCSN Alg. 1: M Langevin steps at each of the K levels</small>
          </label>
        )}
        {settings.sampler === 'ddim' && (
          <label className="advanced">
            η
            <input
              type="number"
              aria-label="eta"
              min={0}
              max={1}
              step={0.1}
              value={settings.eta}
              onChange={(e) => {
                const v = Number(e.target.value);
                if (v >= 0 && v <= 1) setSettings({ eta: v });
              }}
            />
          </label>
        )}
        <label title="Pixels live in [−1, 1]: clipping the step's guess of the clean image keeps early, overshooting guesses from pushing the sample out of range (Ho et al.'s code does it).">
          <input
            type="checkbox"
            aria-label="Clip x̂₀ to [−1, 1]"
            checked={settings.clipX0}
            onChange={(e) => setSettings({ clipX0: e.target.checked })}
          />
          Clip x̂₀ to [−1, 1]
        </label>
        <label className="advanced">
          Seed
          <input
            type="number"
            aria-label="Seed"
            min={0}
            value={settings.seed}
            onChange={(e) => setSettings({ seed: Math.max(0, Math.round(Number(e.target.value))) })}
          />
        </label>
        <label className="advanced">
          Images
          <input
            type="number"
            aria-label="Number of images"
            min={1}
            max={64}
            value={settings.n}
            onChange={(e) => {
              const v = Math.round(Number(e.target.value));
              if (v >= 1 && v <= 64) setSettings({ n: v });
            }}
          />
        </label>
      </div>
      <div className="controls">
        <button
          type="button"
          onClick={() => void startRun()}
          disabled={busy || playing || !backend}
        >
          Sample
        </button>
        <button
          type="button"
          onClick={() => (playing ? pause() : void play())}
          disabled={!backend || (busy && !playing)}
          aria-pressed={playing}
        >
          {playing ? 'Pause' : 'Play'}
        </button>
        <button type="button" onClick={stepBack} disabled={view <= 0}>
          Step back
        </button>
        <button
          type="button"
          onClick={() => void stepForward()}
          disabled={busy || playing || !last || (last.done && view >= frames.length - 1)}
        >
          Step forward
        </button>
        <PlaySpeed />
        <label
          className="inline"
          title="Map each image of x_t from its own min and max to black and white"
        >
          <input type="checkbox" checked={stretch} onChange={(e) => setStretch(e.target.checked)} />
          Contrast-stretch x_t
        </label>
        <button type="button" className="advanced" onClick={exportPng} disabled={!frame}>
          Export PNG
        </button>
        <button
          type="button"
          className="advanced"
          onClick={() => void exportGif()}
          disabled={frames.length < 2 || exporting || playing}
        >
          {exporting ? 'Encoding GIF…' : 'Export GIF'}
        </button>
      </div>
      <DatasetModelNotice />
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <SamplingProgressBar />
      {frame?.warning && (
        <p role="alert" className="error" data-testid="sampling-warning">
          {frame.warning}
        </p>
      )}
      {frames.length > 0 && (
        <div className="timestep-row trajectory">
          <label
            htmlFor="trajectory-slider"
            className="timestep-label"
            title={[
              `Step ${frame?.stepsDone ?? 0} of ${last?.totalSteps ?? 0}`,
              frame?.t !== null && frame?.t !== undefined
                ? ` (model timestep t = ${frame.t}, s = ${frame.guidanceScale})`
                : '',
              ` · network evaluations (NFE) ${frame?.nfeDone ?? 0} of ${last?.totalNfe ?? 0}`,
              describeSplit(frame?.splitCounts) ? ` · ${describeSplit(frame?.splitCounts)}` : '',
            ].join('')}
          >
            Step <output data-testid="sampling-step">{frame?.stepsDone ?? 0}</output> of{' '}
            {last?.totalSteps ?? 0}
            {frame?.t !== null && frame?.t !== undefined && (
              <span className="muted">
                {' '}
                (model timestep t = {frame.t}, s = {frame.guidanceScale})
              </span>
            )}{' '}
            <span className="muted" data-testid="sampling-nfe">
              · network evaluations (NFE) {frame?.nfeDone ?? 0} of {last?.totalNfe ?? 0}
            </span>
            {describeSplit(frame?.splitCounts) && (
              <span
                className="muted"
                data-testid="sampling-split"
                title={`${describeSplit(frame?.splitCounts)}: each worker computes ε for its images; noise and the update run on the whole batch, so the images are the same as in one worker.`}
              >
                {' '}
                · {describeSplitShort(frame?.splitCounts)}
              </span>
            )}
          </label>
          <input
            id="trajectory-slider"
            type="range"
            aria-label="Trajectory step"
            min={0}
            // All planned steps; a step not recorded (a run sampled straight to the end keeps
            // x_T and the samples only) shows the last recorded frame before it.
            max={Math.max(1, last?.totalSteps ?? 1)}
            value={frame?.stepsDone ?? 0}
            onChange={(e) => {
              pause();
              setView(frameAtStep(frames, Number(e.target.value)));
            }}
          />
        </div>
      )}
      {frame && shape ? (
        <div className="sampling-stage">
          <div
            className="image-row"
            ref={gridRef}
            data-testid="sample-row"
            data-first-grid-ms={firstGridMs ?? undefined}
            data-main-panel
          >
            <ImageGrid
              data={stretch ? stretchPerImage(frame.x, size) : frame.x}
              shape={shape}
              range={DATA}
              label={
                (frame.done ? 'samples x₀' : `x_t after ${frame.stepsDone} steps`) +
                (stretch ? ' (each image stretched to its own min–max)' : '')
              }
              width="var(--sample-grid)"
              testId="sample-grid"
            />
          </div>
          <div className="sampling-side">
            <ImageGrid
              data={frame.x0Pred}
              shape={frame.x0Pred ? shape : null}
              range={DATA}
              label={
                frame.clipX0
                  ? 'x̂₀ the step used (clipped to [−1, 1])'
                  : 'x̂₀ the step used (not clipped)'
              }
              width="var(--sample-side)"
              placeholder={BEFORE_FIRST_STEP}
              testId="x0pred-grid"
            />
            <ImageGrid
              data={frame.epsUsed}
              shape={frame.epsUsed ? shape : null}
              range={NOISE}
              label={
                frame.clipX0
                  ? 'ε the step used (re-derived from the clipped x̂₀)'
                  : `ε the step used (${frame.guided ? 'the guided ε̃' : 'the network’s ε'})`
              }
              width="var(--sample-side)"
              placeholder={BEFORE_FIRST_STEP}
              testId="eps-grid"
            />
          </div>
          {frame.guidanceMethod === 'classifier' ? null : (
            <GuidancePanel frame={frame} single={single} size={size} />
          )}
          {frame.guidanceMethod && frame.guidanceMethod !== 'classifier-free' && (
            <ClassifierGuidancePanel
              frame={frame}
              single={single}
              size={size}
              classNames={classNames}
              classIndex={settings.classIndex}
            />
          )}
          {model && (frame.sampler === 'ddpm' || frame.sampler === 'ddim') && (
            <PosteriorPanel frame={frame} model={model} />
          )}
          {frame.sampler === 'ddpm' || frame.sampler === 'ddim' ? (
            <StepFormula sampler={frame.sampler} clipX0={frame.clipX0} t={frame.t} />
          ) : (
            <ScoreSamplerFormula frame={frame} sampler={frame.sampler} />
          )}
        </div>
      ) : (
        <p className="muted">
          {model
            ? 'Press Sample to draw x_T ~ N(0, I), then Play or Step forward.'
            : pretrainedLoading
              ? 'The first grid is sampled as soon as the model is in.'
              : 'No model yet: train one in the Training view, or load one below.'}
        </p>
      )}
      {note && (
        <p className="muted" data-testid="sampling-note">
          {note}
        </p>
      )}
      {model && settings.guidanceMethod !== 'classifier-free' && (
        <NoisyClassifierPanel
          dataset={model.dataset}
          numClasses={classNames.length || 10}
          loadedKey={frame?.classifier ? 'guided' : 'none'}
        />
      )}
      <SamplerComparison />
      <ModelPanel />
      <aside className="explain">
        <p>
          Sampling runs the chain backwards. At each step the network predicts the noise ε in x
          <sub>t</sub>; from it we get a guess of the clean image x̂<sub>0</sub> and take a step
          towards it, adding a little fresh noise (DDPM) or none (DDIM with η = 0). Early guesses
          are blurry averages; they sharpen as t falls.
        </p>
        <p>
          Classifier-free guidance runs the network twice per step, with the class and with the null
          class, and extrapolates: s = 1 is the plain conditional model, s = 0 ignores the class,
          and s &gt; 1 pushes harder towards it — clearer class features, less variety. Move the
          slider during a run: the next step uses the new s.
        </p>
      </aside>
    </section>
  );
}
