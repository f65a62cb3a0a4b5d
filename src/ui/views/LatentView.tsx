// The latent diffusion chapter (Rombach et al. 2022): the same DDPM/DDIM machinery run on a
// learned autoencoder's 7x7x4 latent instead of the 28x28 pixels. Shows the latent (its four
// channels as small images) beside its decoding at every step, the cost per step against the
// pixel model, a walk through the latent space, and encoder → noise → denoise → decoder.
import { useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useLatent } from '../latentStore';
import {
  loadLatentModel,
  measureLatentCost,
  reconstructLatent,
  sampleLatent,
  stopLatentTraining,
  trainLatentInBrowser,
  walkLatent,
} from '../latentActions';
import { formatFlops, latentChannels } from '../latentPixels';
import { ImageGrid } from '../components/ImageGrid';
import { Tex } from '../components/Tex';

const DATA_RANGE = [-1, 1] as const;
/** Scaled latents have unit variance: ±3 covers nearly all values. */
const LATENT_RANGE = [-3, 3] as const;

function Controls() {
  const { settings, setSettings, info, loading, sampling } = useLatent(
    useShallow((s) => ({
      settings: s.settings,
      setSettings: s.setSettings,
      info: s.info,
      loading: s.loading,
      sampling: s.sampling,
    })),
  );
  return (
    <div className="controls">
      <label>
        Class
        <select
          aria-label="Latent class"
          value={settings.classIndex}
          onChange={(e) => setSettings({ classIndex: Number(e.target.value) })}
        >
          {Array.from({ length: 10 }, (_, k) => (
            <option key={k} value={k}>
              {info?.classNames[k] ?? String(k)}
            </option>
          ))}
        </select>
      </label>
      <label>
        Guidance s = {settings.guidance.toFixed(1)}
        <input
          type="range"
          aria-label="Latent guidance scale"
          min={0}
          max={10}
          step={0.5}
          value={settings.guidance}
          onChange={(e) => setSettings({ guidance: Number(e.target.value) })}
        />
      </label>
      <label>
        DDIM steps
        <input
          type="number"
          aria-label="Latent steps"
          min={2}
          max={200}
          value={settings.steps}
          onChange={(e) => setSettings({ steps: Number(e.target.value) })}
        />
      </label>
      <label className="advanced">
        Seed
        <input
          type="number"
          aria-label="Latent seed"
          min={0}
          value={settings.seed}
          onChange={(e) => setSettings({ seed: Number(e.target.value) })}
        />
      </label>
      <button
        type="button"
        onClick={() => void sampleLatent()}
        disabled={!info || sampling || loading}
      >
        {sampling ? 'Sampling…' : 'Sample latents'}
      </button>
    </div>
  );
}

function Trajectory() {
  const { trajectory, at, setAt, info, playing, set } = useLatent(
    useShallow((s) => ({
      trajectory: s.trajectory,
      at: s.at,
      setAt: s.setAt,
      info: s.info,
      playing: s.playing,
      set: s.set,
    })),
  );
  const frames = trajectory?.frames.length ?? 0;
  useEffect(() => {
    if (!playing || frames === 0) return;
    const id = window.setInterval(() => {
      const s = useLatent.getState();
      if (s.at >= frames - 1) s.set({ playing: false });
      else s.setAt(s.at + 1);
    }, 150);
    return () => window.clearInterval(id);
  }, [playing, frames]);
  const frame = trajectory?.frames[at] ?? null;
  const ls = info?.latentShape ?? [7, 7, 4];
  const is = info?.imageShape ?? [28, 28, 1];
  const n = trajectory?.n ?? 4;
  const channels = frame ? latentChannels(frame.zt, 0, ls) : null;
  const channelShape = [ls[2], ls[0], ls[1], 1] as const;
  const imgShape = [n, is[0], is[1], is[2]] as const;
  return (
    <section className="panel" aria-label="Latent trajectory" data-main-panel>
      <h3>
        Sampling in the latent:{' '}
        {frame
          ? `step ${at + 1} of ${frames}, t = ${frame.t}`
          : 'press “Sample latents” (4 latents, DDIM, η = 0)'}
      </h3>
      <div className="image-row">
        <ImageGrid
          data={channels}
          shape={channels ? channelShape : null}
          range={LATENT_RANGE}
          cols={2}
          cell={72}
          label={`z_t of image 1: its ${ls[2]} channels (${ls[0]}×${ls[1]} each, −3…3)`}
          placeholder="z_t"
          testId="latent-channels"
        />
        <ImageGrid
          data={frame?.xt ?? null}
          shape={frame ? imgShape : null}
          range={DATA_RANGE}
          cols={2}
          cell={84}
          label="decoded x_t = D(z_t / scale)"
          placeholder="D(z_t)"
          testId="latent-decoded-xt"
        />
        <ImageGrid
          data={frame?.x0 ?? null}
          shape={frame ? imgShape : null}
          range={DATA_RANGE}
          cols={2}
          cell={84}
          label="decoded x̂₀ = D(ẑ₀ / scale)"
          placeholder="D(ẑ₀)"
          testId="latent-decoded-x0"
        />
      </div>
      <div className="button-row">
        <button
          type="button"
          disabled={frames === 0}
          onClick={() => {
            if (at >= frames - 1) setAt(0);
            set({ playing: !playing });
          }}
        >
          {playing ? 'Pause' : 'Play'}
        </button>
        <button type="button" disabled={frames === 0 || at === 0} onClick={() => setAt(at - 1)}>
          Step back
        </button>
        <button
          type="button"
          disabled={frames === 0 || at >= frames - 1}
          onClick={() => setAt(at + 1)}
        >
          Step forward
        </button>
        <label>
          Step shown
          <input
            type="range"
            aria-label="Latent step"
            min={0}
            max={Math.max(0, frames - 1)}
            value={at}
            disabled={frames === 0}
            onChange={(e) => setAt(Number(e.target.value))}
          />
        </label>
      </div>
      {trajectory && (
        <p className="muted" data-testid="latent-timing">
          {trajectory.nfe} network evaluations on {ls.join('×')} latents in{' '}
          {(trajectory.samplingMs / 1000).toFixed(2)} s (
          {(trajectory.samplingMs / trajectory.nfe).toFixed(1)} ms per guided step of {n} images),
          then one decoding of {n} images in {trajectory.decodeMs.toFixed(0)} ms.
        </p>
      )}
    </section>
  );
}

function Cost() {
  const { cost, measuring, info } = useLatent(
    useShallow((s) => ({ cost: s.cost, measuring: s.measuring, info: s.info })),
  );
  const ratio = cost?.pixel ? cost.pixel.flopsPerStep / cost.latent.flopsPerStep : null;
  return (
    <section className="panel" aria-label="Cost per step">
      <h3>Cost per denoising step: latent against pixel model</h3>
      <button type="button" disabled={!info || measuring} onClick={() => void measureLatentCost()}>
        {measuring ? 'Measuring…' : 'Measure the cost'}
      </button>
      {cost && (
        <table data-testid="latent-cost">
          <thead>
            <tr>
              <th>model</th>
              <th>network input</th>
              <th>parameters</th>
              <th>FLOPs per image per step</th>
              <th>measured ms per guided step ({cost.n} images)</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <td>latent U-Net</td>
              <td>{cost.latent.grid}</td>
              <td>{cost.latent.params.toLocaleString('en')}</td>
              <td>{formatFlops(cost.latent.flopsPerStep)}</td>
              <td>{cost.latent.msPerStep.toFixed(1)}</td>
            </tr>
            {cost.pixel && (
              <tr>
                <td>pixel U-Net (mnist-cfg)</td>
                <td>{cost.pixel.grid}</td>
                <td>{cost.pixel.params.toLocaleString('en')}</td>
                <td>{formatFlops(cost.pixel.flopsPerStep)}</td>
                <td>{cost.pixel.msPerStep.toFixed(1)}</td>
              </tr>
            )}
            <tr>
              <td>decoder D (once per sample)</td>
              <td>{info?.latentShape.join('×')}</td>
              <td>–</td>
              <td>{formatFlops(cost.decoderFlops)}</td>
              <td>{cost.decodeMs.toFixed(1)}</td>
            </tr>
          </tbody>
        </table>
      )}
      {ratio !== null && (
        <p className="muted">
          The latent U-Net needs {ratio.toFixed(1)}× fewer FLOPs per step: the autoencoder took the
          pixel-level detail out of the loop, and the decoder costs it once, not at every one of the
          steps.
        </p>
      )}
    </section>
  );
}

function Walk() {
  const { settings, setSettings, walk, info } = useLatent(
    useShallow((s) => ({
      settings: s.settings,
      setSettings: s.setSettings,
      walk: s.walk,
      info: s.info,
    })),
  );
  useEffect(() => {
    if (info) walkLatent();
  }, [info, settings.alpha, settings.imageA, settings.imageB]);
  const is = info?.imageShape ?? [28, 28, 1];
  const ls = info?.latentShape ?? [7, 7, 4];
  const one = [1, is[0], is[1], is[2]] as const;
  const channels = walk ? latentChannels(walk.latent, 0, ls) : null;
  return (
    <section className="panel" aria-label="Latent walk">
      <h3>Walk the latent: z(α) = (1 − α)·E(x_A) + α·E(x_B)</h3>
      <div className="controls">
        <label>
          Test image A
          <input
            type="number"
            aria-label="Walk image A"
            min={0}
            max={9999}
            value={settings.imageA}
            onChange={(e) => setSettings({ imageA: Number(e.target.value) })}
          />
        </label>
        <label>
          α = {settings.alpha.toFixed(2)}
          <input
            type="range"
            aria-label="Latent walk alpha"
            min={0}
            max={1}
            step={0.05}
            value={settings.alpha}
            onChange={(e) => setSettings({ alpha: Number(e.target.value) })}
          />
        </label>
        <label>
          Test image B
          <input
            type="number"
            aria-label="Walk image B"
            min={0}
            max={9999}
            value={settings.imageB}
            onChange={(e) => setSettings({ imageB: Number(e.target.value) })}
          />
        </label>
      </div>
      <div className="image-row">
        <ImageGrid
          data={walk?.imageA ?? null}
          shape={walk ? one : null}
          range={DATA_RANGE}
          cell={84}
          label="x_A"
        />
        <ImageGrid
          data={channels}
          shape={channels ? ([ls[2], ls[0], ls[1], 1] as const) : null}
          range={LATENT_RANGE}
          cols={2}
          cell={56}
          label="z(α)·scale, 4 channels"
        />
        <ImageGrid
          data={walk?.image ?? null}
          shape={walk ? one : null}
          range={DATA_RANGE}
          cell={84}
          label={`D(z(α)) at α = ${settings.alpha.toFixed(2)}`}
          testId="latent-walk-image"
        />
        <ImageGrid
          data={walk?.imageB ?? null}
          shape={walk ? one : null}
          range={DATA_RANGE}
          cell={84}
          label="x_B"
        />
      </div>
    </section>
  );
}

function Reconstruct() {
  const { settings, setSettings, r, busy, info } = useLatent(
    useShallow((s) => ({
      settings: s.settings,
      setSettings: s.setSettings,
      r: s.reconstruction,
      busy: s.reconstructing,
      info: s.info,
    })),
  );
  const is = info?.imageShape ?? [28, 28, 1];
  const one = [1, is[0], is[1], is[2]] as const;
  const T = info?.T ?? 1000;
  return (
    <section className="panel" aria-label="Reconstruct from noise">
      <h3>Reconstruct from noise at a chosen t: encoder → noise → denoise → decoder</h3>
      <div className="controls">
        <label>
          Test image
          <input
            type="number"
            aria-label="Reconstruct image"
            min={0}
            max={9999}
            value={settings.image}
            onChange={(e) => setSettings({ image: Number(e.target.value) })}
          />
        </label>
        <label>
          t = {settings.t}
          <input
            type="range"
            aria-label="Reconstruct t"
            min={0}
            max={T - 1}
            value={settings.t}
            onChange={(e) => setSettings({ t: Number(e.target.value) })}
          />
        </label>
        <button type="button" disabled={!info || busy} onClick={() => void reconstructLatent()}>
          {busy ? 'Reconstructing…' : 'Reconstruct'}
        </button>
      </div>
      <div className="image-row">
        <ImageGrid
          data={r?.x ?? null}
          shape={r ? one : null}
          range={DATA_RANGE}
          cell={84}
          label="x (test image)"
        />
        <ImageGrid
          data={r?.autoencoded ?? null}
          shape={r ? one : null}
          range={DATA_RANGE}
          cell={84}
          label="D(E(x)): the autoencoder alone"
        />
        <ImageGrid
          data={r?.noisy ?? null}
          shape={r ? one : null}
          range={DATA_RANGE}
          cell={84}
          label={r ? `D(z_t / scale), t = ${r.t}` : 'D(z_t)'}
        />
        <ImageGrid
          data={r?.denoised ?? null}
          shape={r ? one : null}
          range={DATA_RANGE}
          cell={84}
          label={r ? `denoised in ${r.steps} DDIM steps, decoded` : 'denoised'}
          testId="latent-reconstruction"
        />
      </div>
      {r && (
        <>
          <Tex
            expr={String.raw`z_t = \sqrt{\bar\alpha_t}\,z\cdot\text{scale} + \sqrt{1-\bar\alpha_t}\,\epsilon = ${Math.sqrt(r.alphaBar).toFixed(4)}\cdot z\cdot ${info?.scaleFactor.toFixed(4)} + ${Math.sqrt(1 - r.alphaBar).toFixed(4)}\,\epsilon\quad (t = ${r.t})`}
            display
          />
          <p className="muted" data-testid="latent-reconstruction-mse">
            Per-pixel mean squared error against x: autoencoder alone {r.mseAutoencoded.toFixed(4)},
            after noising to t = {r.t} and denoising {r.mseDenoised.toFixed(4)} (pixels in [−1, 1]).
          </p>
        </>
      )}
    </section>
  );
}

function BrowserTraining() {
  const { training, info } = useLatent(useShallow((s) => ({ training: s.training, info: s.info })));
  const bar = (label: string, p: { step: number; total: number } | null, loss?: number | null) => (
    <div className="progress-row">
      <span>{label}</span>
      <progress aria-label={label} value={p?.step ?? 0} max={Math.max(1, p?.total ?? 1)} />
      <span>
        {p ? `${p.step} / ${p.total}` : 'waiting'}
        {loss != null ? `, loss ${loss.toFixed(4)}` : ''}
      </span>
    </div>
  );
  return (
    <section className="panel advanced" aria-label="Train in the browser">
      <h3>Train both stages here (tiny sizes)</h3>
      <p className="muted">
        First the autoencoder (loss: per-pixel MSE of its reconstructions), then its scale factor
        and the latents of the training digits, then the U-Net on them (loss: L_simple, per-element
        mean). The trained pair replaces the model in use
        {info?.source === 'browser' ? ' (in use now)' : ''}.
      </p>
      <div className="button-row">
        <button
          type="button"
          disabled={training !== null}
          onClick={() =>
            void trainLatentInBrowser({ autoencoderSteps: 150, unetSteps: 150, images: 2000 })
          }
        >
          Train autoencoder + latent U-Net
        </button>
        <button type="button" disabled={training === null} onClick={stopLatentTraining}>
          Stop early
        </button>
      </div>
      {training && (
        <div data-testid="latent-training">
          {bar('Autoencoder', training.autoencoder, training.autoencoder?.loss)}
          {bar('Encoding the digits', training.encode)}
          {bar('Latent U-Net', training.unet, training.unet?.loss)}
        </div>
      )}
    </section>
  );
}

function Explanation() {
  const info = useLatent((s) => s.info);
  const guidance = useLatent((s) => s.settings.guidance);
  const scale = info?.scaleFactor ?? 1;
  return (
    <aside className="explain">
      <p>
        Latent diffusion (Rombach et al. 2022, “High-Resolution Image Synthesis with Latent
        Diffusion Models”, the model behind Stable Diffusion) trains in two stages. An autoencoder
        compresses each image x into a small latent z = E(x) (here{' '}
        {info
          ? `${info.imageShape.slice(0, 2).join('×')} → ${info.latentShape.join('×')}`
          : '28×28 → 7×7×4'}
        ), with a small KL pull towards N(0, I) (weight β = {info?.klWeight ?? 1e-6}, Sec. 3.1), and
        a decoder D maps it back. Then an ordinary diffusion model learns to generate latents; the
        decoder turns a generated latent into an image.
      </p>
      <Tex
        expr={String.raw`z = E(x),\qquad z_t = \sqrt{\bar\alpha_t}\,z\cdot\text{scale} + \sqrt{1-\bar\alpha_t}\,\epsilon,\qquad x = D(z_0/\text{scale}),\qquad \text{scale} = 1/\operatorname{std}(z) = ${scale.toFixed(4)}`}
        display
      />
      <p>
        The scale factor (Sec. 4.3.2 and Appendix G) makes the latents unit-variance like the pixels
        the noise schedule was designed for; it is measured once on training latents and stored with
        the model
        {info && info.testMse !== null
          ? `. This autoencoder reconstructs test digits with a per-pixel MSE of ${info.testMse.toFixed(4)}`
          : ''}
        . Guidance works exactly as for pixels: ε̃ = ε_u + s(ε_c − ε_u), with s ={' '}
        {guidance.toFixed(1)} here.
      </p>
      <p>
        <strong>What to look for:</strong> the latent channels look like noise until late, yet their
        decoding is already digit-like at middle steps; each step costs a fraction of a pixel
        model&apos;s (7×7 instead of 28×28 positions); and walking between two latents passes
        through plausible shapes, because the decoder only ever produces images like its training
        data. Reconstructing from noise at large t keeps the class but not the exact strokes.
      </p>
    </aside>
  );
}

export function LatentView() {
  const { info, loading, error } = useLatent(
    useShallow((s) => ({ info: s.info, loading: s.loading, error: s.error })),
  );
  useEffect(() => {
    if (!useLatent.getState().info) void loadLatentModel();
  }, []);
  return (
    <section className="view" aria-labelledby="latent-title">
      <h2 id="latent-title">Latent diffusion: denoising in an autoencoder&apos;s latent space</h2>
      <p className="muted" data-testid="latent-model-info">
        {info
          ? `${info.source === 'pretrained' ? 'models/mnist-latent' : 'trained in this browser'}: ` +
            `autoencoder ${info.autoencoderParams.toLocaleString('en')} parameters, latent U-Net ` +
            `${info.unetParams.toLocaleString('en')} parameters (${info.trainingSteps} training steps), ` +
            `scale factor ${info.scaleFactor.toFixed(4)}`
          : loading
            ? 'Loading models/mnist-latent…'
            : 'No latent model loaded.'}
      </p>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <Controls />
      <Trajectory />
      <Cost />
      <Walk />
      <Reconstruct />
      <BrowserTraining />
      <Explanation />
    </section>
  );
}
