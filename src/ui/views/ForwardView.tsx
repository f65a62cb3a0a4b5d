// Forward process: x_t = sqrt(alphaBar_t) x_0 + sqrt(1 - alphaBar_t) eps (Ho et al. 2020, eq. 4).
import { useEffect, useMemo, useState } from 'react';
import { makeSchedule } from '../../diffusion/schedule';
import { ImageCanvas } from '../components/ImageCanvas';
import { Tex } from '../components/Tex';
import { TimestepSlider } from '../components/TimestepSlider';
import { scheduleOptions, usePlayground } from '../store';
import { getWorker, latestOnly } from '../workerClient';
import type { DatasetInfo, NoiseRequest, NoiseResult } from '../../worker/api';
import { describeError } from '../errors';

const DATA_RANGE = [-1, 1] as const;
const NOISE_RANGE = [-3, 3] as const;

export function ForwardView() {
  const { dataset, scheduleKind, T, t, imageIndex, seed, backend, linearScaled } = usePlayground();
  const { setDataset, setScheduleKind, setImageIndex, setSeed } = usePlayground();
  const [result, setResult] = useState<NoiseResult | null>(null);
  const [info, setInfo] = useState<DatasetInfo | null>(null);
  const [error, setError] = useState<string | null>(null);

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

  const request = useMemo(
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

  useEffect(() => {
    if (!backend || !info || info.name !== dataset) return;
    request({
      dataset,
      index: Math.min(imageIndex, info.count - 1),
      t,
      schedule: scheduleOpts,
      seed,
    });
  }, [backend, info, dataset, imageIndex, t, scheduleOpts, seed, request]);

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
          Image #
          <input
            type="number"
            aria-label="Image index"
            min={0}
            max={info ? info.count - 1 : undefined}
            value={imageIndex}
            onChange={(e) => setImageIndex(Number(e.target.value))}
          />
        </label>
        <button
          type="button"
          onClick={() => info && setImageIndex(Math.floor(Math.random() * info.count))}
        >
          Random image
        </button>
        <button type="button" onClick={() => setSeed(seed + 1)}>
          New noise
        </button>
      </div>
      <TimestepSlider />
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <div className="image-row" aria-busy={!result}>
        <ImageCanvas
          data={result?.x0.data ?? null}
          shape={result?.x0.shape ?? null}
          range={DATA_RANGE}
          label={result ? `x₀ (class ${result.label})` : 'x₀'}
          testId="x0-canvas"
        />
        <ImageCanvas
          data={result?.eps.data ?? null}
          shape={result?.eps.shape ?? null}
          range={NOISE_RANGE}
          label="noise ε ~ N(0, I)"
          testId="eps-canvas"
        />
        <ImageCanvas
          data={result?.xt.data ?? null}
          shape={result?.xt.shape ?? null}
          range={DATA_RANGE}
          label={`x_t at t = ${result?.t ?? t}`}
          testId="xt-canvas"
        />
      </div>
      <div className="formula" aria-label="forward process formula">
        <Tex
          expr={String.raw`x_t = \sqrt{\bar\alpha_t}\,x_0 + \sqrt{1-\bar\alpha_t}\,\epsilon`}
          display
        />
        <Tex
          expr={String.raw`x_{${t}} = ${a.toFixed(4)}\,x_0 + ${b.toFixed(4)}\,\epsilon \qquad \bar\alpha_{${t}} = ${alphaBar.toPrecision(4)}`}
          display
        />
      </div>
      <aside className="explain">
        <p>
          Diffusion models learn to undo a fixed noising process. Each step adds a little Gaussian
          noise with variance β<sub>t</sub>; after t steps the image is a mix of the original and
          pure noise. Because sums of Gaussians are Gaussian, we can jump to any t in one go: x
          <sub>t</sub> = √ᾱ<sub>t</sub>·x<sub>0</sub> + √(1−ᾱ<sub>t</sub>)·ε, where ᾱ<sub>t</sub> is
          the product of (1−β<sub>s</sub>) up to t (Ho et al. 2020, eq. 4).
        </p>
        <p>
          Move t and watch the signal weight √ᾱ<sub>t</sub> fall from 1 towards 0. The linear
          schedule destroys the image quickly in the first half; the cosine schedule (Nichol &amp;
          Dhariwal 2021) keeps more of it for longer.
        </p>
      </aside>
    </section>
  );
}
