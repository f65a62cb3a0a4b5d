// Forward process: x_t = sqrt(alphaBar_t) x_0 + sqrt(1 - alphaBar_t) eps (Ho et al. 2020, eq. 4).
import { useEffect, useMemo, useState } from 'react';
import { makeSchedule } from '../../diffusion/schedule';
import { ImageCanvas } from '../components/ImageCanvas';
import { Tex } from '../components/Tex';
import { TimestepSlider } from '../components/TimestepSlider';
import { PixelHistogram } from '../components/PixelHistogram';
import { Filmstrip } from '../components/Filmstrip';
import { ImagePicker } from '../components/ImagePicker';
import { scheduleOptions, usePlayground } from '../store';
import { getWorker, latestOnly } from '../workerClient';
import type {
  DatasetInfo,
  FilmstripRequest,
  FilmstripResult,
  ImageSource,
  NoiseRequest,
  NoiseResult,
} from '../../worker/api';
import { describeError } from '../errors';

const DATA_RANGE = [-1, 1] as const;
const NOISE_RANGE = [-3, 3] as const;
const FILM_FRAMES = 8;

export function ForwardView() {
  const { dataset, scheduleKind, T, t, imageIndex, seed, backend, linearScaled } = usePlayground();
  const { setDataset, setScheduleKind, setSeed } = usePlayground();
  const [result, setResult] = useState<NoiseResult | null>(null);
  const [strip, setStrip] = useState<FilmstripResult | null>(null);
  const [info, setInfo] = useState<DatasetInfo | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [mode, setMode] = useState<NoiseRequest['mode']>('closed');
  // Bumped when a new picture is uploaded or drawn, so the views recompute with it.
  const [custom, setCustom] = useState<{ dataset: string; version: number } | null>(null);

  const scheduleOpts = useMemo(
    () => scheduleOptions(scheduleKind, T, linearScaled),
    [scheduleKind, T, linearScaled],
  );
  const schedule = useMemo(() => makeSchedule(scheduleOpts), [scheduleOpts]);
  const alphaBar = schedule.alphaBars[t];

  useEffect(() => {
    if (!backend) return;
    let live = true;
    getWorker()
      .datasetInfo(dataset)
      .then((i) => live && setInfo(i))
      .catch((e: unknown) => live && setError(describeError(e)));
    return () => {
      live = false;
    };
  }, [backend, dataset]);

  const requestNoise = useMemo(
    () =>
      latestOnly<NoiseRequest, NoiseResult>(
        (req) => getWorker().noise(req),
        (res) => {
          setResult(res);
          setError(null);
        },
        (err) => setError(describeError(err)),
      ),
    [],
  );
  const requestStrip = useMemo(
    () =>
      latestOnly<FilmstripRequest, FilmstripResult>(
        (req) => getWorker().filmstrip(req),
        setStrip,
        (err) => setError(describeError(err)),
      ),
    [],
  );

  const usingCustom = custom !== null && custom.dataset === dataset;
  const source: ImageSource = useMemo(
    () =>
      usingCustom
        ? { kind: 'custom' }
        : { kind: 'dataset', index: Math.min(imageIndex, (info?.count ?? 1) - 1) },
    // custom.version makes a fresh object (and so a recomputation) for each new picture.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [usingCustom, custom?.version, imageIndex, info],
  );
  const ready = Boolean(backend && info && info.name === dataset);

  useEffect(() => {
    if (ready) requestNoise({ dataset, source, t, schedule: scheduleOpts, seed, mode });
  }, [ready, dataset, source, t, scheduleOpts, seed, mode, requestNoise]);

  useEffect(() => {
    if (ready) requestStrip({ dataset, source, T, frames: FILM_FRAMES, seed, linearScaled });
  }, [ready, dataset, source, T, seed, linearScaled, requestStrip]);

  const a = Math.sqrt(alphaBar);
  const b = Math.sqrt(1 - alphaBar);
  return (
    <section className="view" aria-labelledby="forward-title">
      <h2 id="forward-title">Forward process: adding noise</h2>
      <div className="controls">
        <label>
          Dataset
          <select
            aria-label="Dataset"
            value={dataset}
            onChange={(e) => setDataset(e.target.value as typeof dataset)}
          >
            <option value="mnist">MNIST digits</option>
            <option value="cifar10">CIFAR-10 photos</option>
          </select>
        </label>
        <label>
          Schedule
          <select
            aria-label="Schedule"
            value={scheduleKind}
            onChange={(e) => setScheduleKind(e.target.value as typeof scheduleKind)}
          >
            <option value="linear">linear (Ho et al. 2020)</option>
            <option value="cosine">cosine (Nichol &amp; Dhariwal 2021)</option>
          </select>
        </label>
        <label>
          Computed by
          <select
            aria-label="Noising route"
            value={mode}
            onChange={(e) => setMode(e.target.value as NoiseRequest['mode'])}
          >
            <option value="closed">closed form q(x_t | x_0): one jump</option>
            <option value="chain">chain q(x_t | x_t−1): t + 1 small steps</option>
          </select>
        </label>
        <button type="button" className="advanced" onClick={() => setSeed(seed + 1)}>
          New noise
        </button>
      </div>
      <ImagePicker
        info={info}
        usingCustom={usingCustom}
        onCustom={() => setCustom((c) => ({ dataset, version: (c?.version ?? 0) + 1 }))}
        onDatasetImage={() => setCustom(null)}
        onError={setError}
      />
      <TimestepSlider />
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <div className="forward-grid">
        <div className="image-row" aria-busy={!result} data-main-panel>
          <ImageCanvas
            data={result?.x0.data ?? null}
            shape={result?.x0.shape ?? null}
            range={DATA_RANGE}
            label={
              result ? (result.label ? `x₀ (class ${result.label})` : 'x₀ (your picture)') : 'x₀'
            }
            testId="x0-canvas"
            width="var(--forward-image)"
          />
          <ImageCanvas
            data={result?.eps.data ?? null}
            shape={result?.eps.shape ?? null}
            range={NOISE_RANGE}
            label="noise ε ~ N(0, I)"
            testId="eps-canvas"
            width="var(--forward-image)"
          />
          <ImageCanvas
            data={result?.xt.data ?? null}
            shape={result?.xt.shape ?? null}
            range={DATA_RANGE}
            label={`x_t at t = ${result?.t ?? t} (after ${(result?.t ?? t) + 1} noising step${(result?.t ?? t) === 0 ? '' : 's'})`}
            testId="xt-canvas"
            width="var(--forward-image)"
          />
        </div>
        <PixelHistogram values={result?.xt.data ?? null} t={result?.t ?? t} />
      </div>
      <div className="formula" aria-label="forward process formula">
        <Tex
          expr={String.raw`x_t = \sqrt{\bar\alpha_t}\,x_0 + \sqrt{1-\bar\alpha_t}\,\epsilon`}
          display
        />
        <Tex
          expr={String.raw`x_t = ${a.toFixed(4)}\,x_0 + ${b.toFixed(4)}\,\epsilon \qquad \text{at } t = ${t}:\ \bar\alpha_t = ${alphaBar.toPrecision(4)}`}
          display
        />
      </div>
      <aside className="explain">
        <p>
          Diffusion models learn to undo a fixed noising process. Each step adds a little Gaussian
          noise: x<sub>t</sub> = √(1−β<sub>t</sub>)·x<sub>t−1</sub> + √β<sub>t</sub>·ε (Ho et al.
          2020, eq. 2). Because a sum of independent Gaussians is again Gaussian, the steps collapse
          into one: x<sub>t</sub> = √ᾱ<sub>t</sub>·x<sub>0</sub> + √(1−ᾱ<sub>t</sub>)·ε, with ᾱ
          <sub>t</sub> the product of (1−β<sub>s</sub>) for s = 0 … t (eq. 4). Here t counts from 0,
          as in the code: x<sub>0</sub> is the clean image and x<sub>t</sub> at t = 0 has already
          had one noising step (the paper&apos;s x<sub>1</sub>). Switch “Computed by” to the chain:
          the picture changes (other random draws) but its statistics do not — the histogram, mean
          and spread match the closed form. Training uses the one-jump form so that any t costs the
          same.
        </p>
        <p>
          Move t and watch the signal weight √ᾱ<sub>t</sub> fall from 1 towards 0 and the histogram
          turn into the bell curve of N(0, 1). The filmstrip below shows why Nichol &amp; Dhariwal
          (2021) proposed the cosine schedule: with the linear one the image is mostly gone by the
          middle of the chain.
        </p>
      </aside>
      <h3>Filmstrip: the same image and noise under both schedules</h3>
      <Filmstrip strip={strip} />
    </section>
  );
}
