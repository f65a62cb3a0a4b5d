// Two samplers side by side from the same starting noise x_T, class and guidance scale (the
// Reverse sampling view's), each with its own step count: e.g. DDPM's T ancestral steps (Ho et
// al. 2020, Alg. 2) against DDIM's S deterministic ones (Song et al. 2021, eq. 12). Any sampler
// of SAMPLER_CHOICES can go on either side.
import { useShallow } from 'zustand/react/shallow';
import { useComparison, stepsOf, type SideSettings } from '../comparisonStore';
import { cancelComparison, runComparison } from '../comparisonActions';
import { SAMPLER_CHOICES, SAMPLER_IDS, type SamplerId } from '../samplerChoices';
import { useTraining } from '../trainingStore';
import { usePlayground } from '../store';
import type { ComparisonSideResult } from '../../worker/api';
import { ImageGrid } from './ImageGrid';
import { Tex } from './Tex';

const DATA = [-1, 1] as const;
const NOISE = [-3, 3] as const;
// Accessible names avoid 'Sampler' and 'eta', which name the view's own controls.
const NAMES = ['Left side', 'Right side'] as const;

function describeSide(side: SideSettings, T: number): string {
  const choice = SAMPLER_CHOICES[side.sampler];
  const parts = [`${choice.short}, ${stepsOf(side, T)} steps`];
  if (choice.eta) parts.push(`η = ${side.eta}`);
  if (choice.variance) parts.push(side.variance === 'beta' ? 'σ² = β' : 'σ² = β̃');
  return parts.join(', ');
}

function SideControls({ index, T }: { index: 0 | 1; T: number }) {
  const side = useComparison((s) => s.sides[index]);
  const setSide = useComparison((s) => s.setSide);
  const running = useComparison((s) => s.running);
  const choice = SAMPLER_CHOICES[side.sampler];
  const name = NAMES[index];
  return (
    <fieldset className="controls comparison-side-controls" disabled={running}>
      <legend>{name}</legend>
      <label>
        Sampler
        <select
          aria-label={name}
          value={side.sampler}
          onChange={(e) => setSide(index, { sampler: e.target.value as SamplerId })}
        >
          {SAMPLER_IDS.map((id) => (
            <option key={id} value={id}>
              {SAMPLER_CHOICES[id].label}
            </option>
          ))}
        </select>
      </label>
      {choice.chooseSteps ? (
        <label>
          Steps
          <input
            type="number"
            aria-label={`${name} steps`}
            min={1}
            max={T}
            value={Math.min(side.steps, T)}
            onChange={(e) => {
              const v = Math.round(Number(e.target.value));
              if (v >= 1 && v <= T) setSide(index, { steps: v });
            }}
          />
        </label>
      ) : (
        <span className="muted">all T = {T} steps</span>
      )}
      {choice.eta && (
        <label className="advanced">
          η
          <input
            type="number"
            aria-label={`${name} η`}
            min={0}
            max={1}
            step={0.1}
            value={side.eta}
            onChange={(e) => {
              const v = Number(e.target.value);
              if (v >= 0 && v <= 1) setSide(index, { eta: v });
            }}
          />
        </label>
      )}
      {choice.variance && (
        <label>
          Variance σ²
          <select
            aria-label={`${name} σ²`}
            value={side.variance}
            onChange={(e) => setSide(index, { variance: e.target.value as 'beta' | 'betaTilde' })}
          >
            <option value="beta">σ² = β_t</option>
            <option value="betaTilde">σ² = β̃_t</option>
          </select>
        </label>
      )}
    </fieldset>
  );
}

function SideResult(props: {
  r: ComparisonSideResult;
  settings: SideSettings;
  shape: [number, number, number, number];
  index: number;
  T: number;
}) {
  const { r, settings, shape, index, T } = props;
  return (
    <div className="comparison-result">
      <ImageGrid
        data={r.x}
        shape={shape}
        range={DATA}
        label={`${describeSide(settings, T)}: ${r.networkPasses} network passes per image, ${(r.ms / 1000).toFixed(1)} s`}
        width="var(--comparison-grid)"
        testId={`comparison-side-${index}`}
      />
      {r.warning && (
        <p role="alert" className="error">
          {r.warning}
        </p>
      )}
    </div>
  );
}

export function SamplerComparison() {
  const model = useTraining((s) => s.model);
  const backend = usePlayground((s) => s.backend);
  const { sides, running, progress, result, error } = useComparison(
    useShallow((s) => ({
      sides: s.sides,
      running: s.running,
      progress: s.progress,
      result: s.result,
      error: s.error,
    })),
  );
  const T = model?.schedule.T ?? 1000;
  return (
    <section className="panel" aria-label="Samplers side by side" data-testid="comparison-panel">
      <h3>
        Side by side: {describeSide(sides[0], T)} against {describeSide(sides[1], T)}
      </h3>
      <p className="muted">
        Both start from the same x_T (the seed above), the same class and the same guidance scale s:
        only the reverse process differs. DDIM’s σ (Song et al. 2021, eq. 16) spans both:
      </p>
      <Tex
        expr={String.raw`\sigma_t(\eta) = \eta\,\sqrt{\tfrac{1-\bar\alpha_{t'}}{1-\bar\alpha_t}}\,\sqrt{1-\tfrac{\bar\alpha_t}{\bar\alpha_{t'}}}\qquad \eta = 0:\ \text{DDIM (deterministic)},\quad \eta = 1:\ \text{DDPM's } \sigma^2 = \tilde\beta`}
        display
      />
      <p className="muted">
        What to look for: DDIM with η = 0 needs far fewer network passes for images of similar
        quality, and keeps x_T’s layout as its steps change; DDPM draws fresh noise z every step, so
        its images differ from DDIM’s even from the same x_T. DDPM with fewer steps is DDIM with η =
        1 on the kept steps.
      </p>
      <div className="comparison-controls">
        <SideControls index={0} T={T} />
        <SideControls index={1} T={T} />
        <div className="controls">
          {running ? (
            <button type="button" onClick={cancelComparison}>
              Cancel comparison
            </button>
          ) : (
            <button
              type="button"
              onClick={() => void runComparison()}
              disabled={!model || !backend}
            >
              Compare
            </button>
          )}
          {progress && (
            <span data-testid="comparison-progress">
              {NAMES[progress.side]}: step {progress.stepsDone} of {progress.totalSteps}
            </span>
          )}
        </div>
      </div>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {result && (
        <>
          <p className="muted" data-testid="comparison-caption">
            {result.caption}
          </p>
          <div className="comparison-grids">
            <ImageGrid
              data={result.xT}
              shape={result.shape}
              range={NOISE}
              label="x_T, the noise both started from"
              width="calc(var(--comparison-grid) / 2)"
              testId="comparison-xT"
            />
            {result.sides.map((r, i) => (
              <SideResult
                key={i}
                r={r}
                settings={result.settings[i]}
                shape={result.shape}
                index={i}
                T={T}
              />
            ))}
          </div>
        </>
      )}
    </section>
  );
}
