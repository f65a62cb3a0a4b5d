// The Cascade chapter (Ho et al. 2021, "Cascaded Diffusion Models for High Fidelity Image
// Generation", JMLR): a class-conditional base model samples 14×14 digits, they are augmented and
// upsampled, and a super-resolution diffusion model samples the 28×28 digit conditioned on them.
// Every step of both stages can be scrubbed; the SR model trained WITH conditioning augmentation
// is shown beside the one trained WITHOUT, from the same low-res samples.
import { useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { CASCADE_LIMITS, pipelineLength, useCascade } from '../cascadeStore';
import {
  loadPretrainedCascade,
  sampleCascade,
  stopCascadeTraining,
  trainCascade,
} from '../cascadeActions';
import { ImageGrid } from '../components/ImageGrid';
import { Tex } from '../components/Tex';
import type { CascadeSampleResult } from '../../worker/cascadeApiTypes';
import '../cascade.css';

const RANGE = [-1, 1] as const;

function Controls() {
  const { settings, setSettings, sampling, training, loading, info, trainSteps, set } = useCascade(
    useShallow((s) => ({
      settings: s.settings,
      setSettings: s.setSettings,
      sampling: s.sampling,
      training: s.training,
      loading: s.loading,
      info: s.info,
      trainSteps: s.trainSteps,
      set: s.set,
    })),
  );
  const busy = sampling || training !== null || loading;
  const a = settings.augLevel;
  return (
    <div className="controls">
      <label>
        Digit
        <select
          aria-label="Cascade class"
          value={settings.classIndex}
          disabled={busy}
          onChange={(e) => setSettings({ classIndex: Number(e.target.value) })}
        >
          {Array.from({ length: 10 }, (_, i) => (
            <option key={i} value={i}>
              {i}
            </option>
          ))}
        </select>
      </label>
      <label>
        Guidance s (base) = {settings.guidance}
        <input
          type="range"
          aria-label="Cascade guidance scale"
          min={0}
          max={CASCADE_LIMITS.guidance}
          step={0.5}
          value={settings.guidance}
          disabled={busy}
          onChange={(e) => setSettings({ guidance: Number(e.target.value) })}
        />
      </label>
      <label>
        Noise augmentation at sampling, a = {a.toFixed(2)} (s = {Math.round(a * 999)})
        <input
          type="range"
          aria-label="Augmentation level"
          min={0}
          max={1}
          step={0.01}
          value={a}
          disabled={busy}
          onChange={(e) => setSettings({ augLevel: Number(e.target.value) })}
        />
      </label>
      <label className="checkbox">
        <input
          type="checkbox"
          aria-label="Truncated augmentation"
          checked={settings.truncated}
          disabled={busy}
          onChange={(e) => setSettings({ truncated: e.target.checked })}
        />
        truncated: hand over the base’s own x<sub>t</sub> at t ≤ s
      </label>
      <label>
        DDIM steps per stage
        <input
          type="number"
          aria-label="Cascade steps"
          min={1}
          max={CASCADE_LIMITS.steps}
          value={settings.steps}
          disabled={busy}
          onChange={(e) => setSettings({ steps: Number(e.target.value) })}
        />
      </label>
      <label className="advanced">
        Images
        <input
          type="number"
          aria-label="Cascade images"
          min={1}
          max={CASCADE_LIMITS.n}
          value={settings.n}
          disabled={busy}
          onChange={(e) => setSettings({ n: Number(e.target.value) })}
        />
      </label>
      <label className="advanced">
        Seed
        <input
          type="number"
          aria-label="Cascade seed"
          min={0}
          value={settings.seed}
          disabled={busy}
          onChange={(e) => setSettings({ seed: Number(e.target.value) })}
        />
      </label>
      <button type="button" onClick={() => void sampleCascade()} disabled={busy}>
        Sample cascade
      </button>
      {!info && (
        <button type="button" onClick={() => void loadPretrainedCascade()} disabled={busy}>
          Load pretrained cascade
        </button>
      )}
      <label className="advanced">
        Train steps per stage
        <input
          type="number"
          aria-label="Cascade training steps"
          min={1}
          max={CASCADE_LIMITS.trainSteps}
          value={trainSteps}
          disabled={busy}
          onChange={(e) => {
            const v = Math.round(Number(e.target.value));
            if (v >= 1 && v <= CASCADE_LIMITS.trainSteps) set({ trainSteps: v });
          }}
        />
      </label>
      {training === null ? (
        <button type="button" onClick={() => void trainCascade()} disabled={busy}>
          Train a tiny cascade here
        </button>
      ) : (
        <button type="button" onClick={() => void stopCascadeTraining()}>
          Stop training
        </button>
      )}
    </div>
  );
}

function Progress() {
  const { sampling, training, loading } = useCascade(
    useShallow((s) => ({ sampling: s.sampling, training: s.training, loading: s.loading })),
  );
  if (training) {
    return (
      <div className="progress-row" data-testid="cascade-train-progress">
        <progress aria-label="Cascade training progress" max={1} value={training.fraction} />{' '}
        training {training.stage}: step {training.step} / {training.steps}
        {Number.isFinite(training.loss) &&
          `, loss (per-pixel mean L_simple) ${training.loss.toFixed(4)}`}
      </div>
    );
  }
  if (sampling || loading) {
    return (
      <div className="progress-row">
        <progress aria-label="Cascade progress" />{' '}
        {loading ? 'loading the cascade…' : 'sampling both stages…'}
      </div>
    );
  }
  return null;
}

/** Which frame of each stage the scrubber position shows. */
function framesAt(r: CascadeSampleResult, at: number) {
  const baseLen = r.base.ts.length + 1;
  const baseK = Math.min(at, baseLen - 1);
  const srK = at < baseLen ? -1 : at - baseLen;
  return { baseK, srK, baseDone: at >= baseLen - 1 };
}

function frame(run: { frames: Float32Array; size: number }, n: number, k: number): Float32Array {
  const per = n * run.size * run.size;
  return run.frames.subarray(k * per, (k + 1) * per);
}

function Scrubber() {
  const { result, at, setAt, playing, set } = useCascade(
    useShallow((s) => ({
      result: s.result,
      at: s.at,
      setAt: s.setAt,
      playing: s.playing,
      set: s.set,
    })),
  );
  const len = pipelineLength(result);
  useEffect(() => {
    if (!playing) return;
    const id = window.setInterval(() => {
      const s = useCascade.getState();
      if (s.at >= pipelineLength(s.result) - 1) s.set({ playing: false });
      else s.setAt(s.at + 1);
    }, 100);
    return () => window.clearInterval(id);
  }, [playing]);
  if (!result) return null;
  const { baseK, srK } = framesAt(result, at);
  const S = result.base.ts.length;
  const where =
    srK < 0
      ? baseK < S
        ? `base stage, step ${baseK + 1} of ${S}: x_t at t = ${result.base.ts[baseK]}`
        : 'base stage done: x₀ (14×14)'
      : srK < result.sr.ts.length
        ? `super-resolution stage, step ${srK + 1} of ${result.sr.ts.length}: x_t at t = ${result.sr.ts[srK]}`
        : 'super-resolution done: x₀ (28×28)';
  return (
    <div className="controls cascade-scrubber">
      <button type="button" onClick={() => setAt(at - 1)} aria-label="Step back">
        ◀
      </button>
      <button
        type="button"
        onClick={() => {
          if (at >= len - 1) setAt(0);
          set({ playing: !playing });
        }}
      >
        {playing ? 'Pause' : 'Play'}
      </button>
      <button type="button" onClick={() => setAt(at + 1)} aria-label="Step forward">
        ▶
      </button>
      <label className="grow">
        Pipeline position
        <input
          type="range"
          aria-label="Pipeline position"
          min={0}
          max={len - 1}
          value={at}
          onChange={(e) => setAt(Number(e.target.value))}
        />
      </label>
      <span data-testid="cascade-position">{where}</span>
    </div>
  );
}

function Panels() {
  const { result, at } = useCascade(useShallow((s) => ({ result: s.result, at: s.at })));
  const n = result?.n ?? 0;
  const shape = (size: number) => [n, size, size, 1] as const;
  if (!result) {
    return (
      <p className="muted" data-testid="cascade-empty">
        Press “Sample cascade” to run the base model and both super-resolution models.
      </p>
    );
  }
  const { baseK, srK, baseDone } = framesAt(result, at);
  const srShown = (run: CascadeSampleResult['sr']) =>
    srK < 0 ? null : frame(run, n, Math.min(srK, run.ts.length));
  const cols = Math.min(n, 4);
  return (
    <div className="cascade-panels">
      <figure>
        <ImageGrid
          data={frame(result.base, n, baseK)}
          shape={shape(result.base.size)}
          range={RANGE}
          label="Base model x_t, 14 by 14"
          cols={cols}
          width="var(--cascade-cell)"
          testId="cascade-base"
        />
        <figcaption>1. Base model, 14×14 (class-conditional, guided)</figcaption>
      </figure>
      <figure>
        <ImageGrid
          data={baseDone ? result.upsampled : null}
          shape={shape(result.sr.size)}
          range={RANGE}
          label="Base samples upsampled bilinearly to 28 by 28"
          cols={cols}
          width="var(--cascade-cell)"
          placeholder="after the base stage"
          testId="cascade-upsampled"
        />
        <figcaption>2. Upsampled (bilinear), 28×28</figcaption>
      </figure>
      <figure>
        <ImageGrid
          data={baseDone ? result.condAug : null}
          shape={shape(result.sr.size)}
          range={RANGE}
          label="Augmented low-resolution input of the SR model"
          cols={cols}
          width="var(--cascade-cell)"
          placeholder="after the base stage"
          testId="cascade-cond"
        />
        <figcaption>
          {result.handoverFrame === null
            ? `3. Augmented input z_s (s = ${result.augValue}), what the SR model reads`
            : `3. Truncated: the base’s own x_t at t = ${result.augValue} (step ${result.handoverFrame + 1}), what the SR model reads`}
        </figcaption>
      </figure>
      <figure>
        <ImageGrid
          data={srShown(result.sr)}
          shape={shape(result.sr.size)}
          range={RANGE}
          label="Super-resolved, trained with augmentation"
          cols={cols}
          width="var(--cascade-cell)"
          placeholder="after the base stage"
          testId="cascade-sr"
        />
        <figcaption>4a. SR trained WITH conditioning augmentation</figcaption>
      </figure>
      {result.srNoAug && (
        <figure>
          <ImageGrid
            data={srShown(result.srNoAug)}
            shape={shape(result.sr.size)}
            range={RANGE}
            label="Super-resolved, trained without augmentation"
            cols={cols}
            width="var(--cascade-cell)"
            placeholder="after the base stage"
            testId="cascade-sr-noaug"
          />
          <figcaption>4b. SR trained WITHOUT augmentation (clean input)</figcaption>
        </figure>
      )}
    </div>
  );
}

function Formulas() {
  const { result, settings } = useCascade(
    useShallow((s) => ({ result: s.result, settings: s.settings })),
  );
  const s = Math.round(settings.augLevel * 999);
  const c = result?.noiseCoefficients;
  const f = (v: number) => v.toFixed(3);
  return (
    <section aria-label="Cascade formulas">
      <Tex
        expr={String.raw`\tilde\epsilon = \epsilon_u + s\,(\epsilon_c - \epsilon_u),\quad s = ${settings.guidance}\ \text{(base stage, class } ${settings.classIndex}\text{)}`}
        display
      />
      <Tex
        expr={
          c
            ? String.raw`z_s = \sqrt{\bar\alpha_s}\,x_{\text{low}} + \sqrt{1-\bar\alpha_s}\,\epsilon = ${f(c.signal)}\,x_{\text{low}} + ${f(c.noise)}\,\epsilon,\quad s = ${result?.augValue ?? s}`
            : String.raw`z_s = \sqrt{\bar\alpha_s}\,x_{\text{low}} + \sqrt{1-\bar\alpha_s}\,\epsilon,\quad s = \operatorname{round}(a\,(T-1)) = ${s}`
        }
        display
      />
      <Tex
        expr={String.raw`\epsilon_\theta\big([\,x_t,\ \operatorname{up}(z_s)\,],\ t,\ s\big)\ \text{predicts the noise of the 28×28 image } x_t`}
        display
      />
    </section>
  );
}

function Models() {
  const info = useCascade((s) => s.info);
  if (!info) return null;
  return (
    <table className="cascade-models" aria-label="Cascade stages">
      <caption>
        Stages in use ({info.source === 'pretrained' ? 'models/mnist-cascade' : 'trained here'})
      </caption>
      <thead>
        <tr>
          <th>stage</th>
          <th>size</th>
          <th>parameters</th>
          <th>training steps</th>
          <th>augmentation (training)</th>
        </tr>
      </thead>
      <tbody>
        {info.stages.map((st) => (
          <tr key={st.name}>
            <td>{st.name}</td>
            <td>
              {st.imageSize}×{st.imageSize}
            </td>
            <td>{st.params.toLocaleString('en')}</td>
            <td>{st.trainingSteps || '–'}</td>
            <td>
              {st.augmentation === 'noise'
                ? `noise, s uniform in 0..${Math.round(st.augStrength * 999)}`
                : st.augmentation === 'blur'
                  ? `blur, σ ≤ ${st.augStrength}`
                  : 'none'}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Explanation() {
  return (
    <aside className="explain">
      <p>
        A <strong>cascade</strong> (Ho et al. 2021, “Cascaded Diffusion Models for High Fidelity
        Image Generation”, JMLR, Sec. 2) splits generation into stages: a base diffusion model
        samples a small image, and a super-resolution (SR) diffusion model samples the larger image
        conditioned on the small one, upsampled and concatenated to x<sub>t</sub> as extra input
        channels. Imagen is built this way.
      </p>
      <p>
        The SR model is trained on <em>real</em> low-resolution images but used on the base model’s{' '}
        <em>samples</em>, which have artefacts it never saw.{' '}
        <strong>Conditioning augmentation</strong> (Sec. 4) corrupts its input in training —
        Gaussian noise z<sub>s</sub> at a random level s, which the model is also told (Sec. 4.2),
        or a Gaussian blur (Sec. 4.1) — so it learns not to trust every pixel of its input.
      </p>
      <p>
        <strong>What to look for:</strong> without augmentation (4b) the SR model copies the base
        sample’s blotches and broken strokes into the 28×28 digit, and sharpens them (compounding
        errors); with augmentation (4a) at a moderate a it redraws clean strokes. Raise a: at a = 1
        the input is pure noise and the SR model draws any digit; at a = 0 it copies like 4b.
        “Truncated” (Sec. 4.2) skips the base’s last steps and hands over its own noisy x
        <sub>t</sub> at the first t ≤ s: the same kind of input, for fewer base steps.
      </p>
    </aside>
  );
}

export function CascadeView() {
  const { info, error, loading } = useCascade(
    useShallow((s) => ({ info: s.info, error: s.error, loading: s.loading })),
  );
  useEffect(() => {
    if (!info && !loading) void loadPretrainedCascade();
    // Once on opening the view.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return (
    <section className="view" aria-labelledby="cascade-title">
      <h2 id="cascade-title">Cascade: base model → upsample → super-resolution</h2>
      <Controls />
      <Progress />
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <Scrubber />
      <Panels />
      <Formulas />
      <Models />
      <Explanation />
    </section>
  );
}
