// Classifier guidance at the step shown (Dhariwal & Nichol 2021, Alg. 1 and 2): the noise-aware
// classifier's p(y | x_t, t) for the first image as a bar chart (students watch the asked-for
// class rise as the digit forms), and its gradient g = ∇ₓ log p(y | x_t, t): "what the classifier
// wants changed", the image the sampler adds (scaled) to its step.
import type { SamplingFrame } from '../../worker/api';
import { ImageGrid } from './ImageGrid';
import { Tex } from './Tex';
import { maxAbs } from '../pixelMaps';

export interface ClassifierGuidancePanelProps {
  frame: SamplingFrame;
  /** Shape of one image [1, H, W, C] and its size H·W·C. */
  single: [number, number, number, number] | null;
  size: number;
  classNames: readonly string[];
  /** The class asked for (−1: none). */
  classIndex: number;
}

const fmt = (v: number) => (Math.abs(v) >= 0.01 || v === 0 ? v.toFixed(3) : v.toExponential(1));

export function ClassifierGuidancePanel(props: ClassifierGuidancePanelProps) {
  const { frame, single, size, classNames, classIndex } = props;
  const cg = frame.classifier ?? null;
  const k = classNames.length || 10;
  const probs = cg ? Array.from(cg.probs.subarray(0, k)) : null;
  const grad = cg ? cg.grad.subarray(0, size) : null;
  const spread = grad ? Math.max(maxAbs(grad), 1e-12) : 1;
  const sampler = frame.sampler;
  const asked = classIndex >= 0 ? classIndex : 0;
  const formula =
    sampler === 'ddpm'
      ? String.raw`\mu' = \mu + s\,\sigma_t^2\,g,\quad g = \nabla_x \log p_\phi(y \mid x_t, t)`
      : String.raw`\epsilon' = \epsilon - \sqrt{1-\bar\alpha_t}\; s\, g,\quad g = \nabla_x \log p_\phi(y \mid x_t, t)`;
  const numbers =
    cg && probs && frame.t !== null
      ? String.raw`s = ${cg.scale},\; t = ${frame.t},\; p_\phi(y{=}${classNames[asked] ?? asked} \mid x_t) = ${fmt(probs[asked])},\; \max|g| = ${fmt(spread)}`
      : null;
  return (
    <section
      className="panel"
      aria-label="Classifier guidance"
      data-testid="classifier-guidance-panel"
    >
      <h3>Classifier guidance for the first image at this step</h3>
      <Tex expr={formula} display />
      {numbers && <Tex expr={numbers} display />}
      <p className="muted">
        Dhariwal &amp; Nichol 2021, “Diffusion Models Beat GANs on Image Synthesis”, Alg.{' '}
        {sampler === 'ddpm' ? '1 (ancestral sampling)' : '2 (DDIM)'}; the classifier p_φ is trained
        on noisy x_t, so it can judge every step.
      </p>
      {probs && grad ? (
        <div className="guidance-maps">
          <figure>
            <svg
              role="img"
              aria-label={`p(y | x_t, t) for the ${k} classes`}
              data-testid="classifier-probs"
              viewBox={`0 0 ${k * 24} 110`}
              width="calc(var(--guidance-map) * 2.4)"
            >
              {probs.map((p, i) => (
                <g key={i}>
                  <rect
                    x={i * 24 + 3}
                    y={95 - 90 * p}
                    width={18}
                    height={Math.max(90 * p, 0.5)}
                    fill={i === asked ? 'var(--accent, #d9480f)' : 'currentColor'}
                    opacity={i === asked ? 1 : 0.45}
                  >
                    <title>{`${classNames[i] ?? i}: ${(100 * p).toFixed(1)}%`}</title>
                  </rect>
                  <text
                    x={i * 24 + 12}
                    y={108}
                    fontSize={10}
                    textAnchor="middle"
                    fill="currentColor"
                  >
                    {classNames[i] ?? i}
                  </text>
                </g>
              ))}
            </svg>
            <figcaption>
              p_φ(y | x_t, t): the noisy classifier’s belief; the highlighted bar is the class asked
              for ({(100 * probs[asked]).toFixed(1)}%)
            </figcaption>
          </figure>
          <ImageGrid
            data={grad}
            shape={single}
            range={[-spread, spread]}
            label={`g, what the classifier wants changed (stretched to ±${spread.toPrecision(2)})`}
            width="var(--guidance-map)"
            testId="classifier-grad"
          />
        </div>
      ) : (
        <p className="muted">The bars and g appear after the first step.</p>
      )}
      <p className="muted">
        Look for: p(y | x_t) near chance while x_t is mostly noise, rising as the digit forms; g
        lights up where pixels should change to look more like the class. The ε-model itself runs
        {frame.guidanceMethod === 'both'
          ? ' with the class (classifier-free guidance too)'
          : ' on its null class: only the classifier knows the class'}
        .
      </p>
    </section>
  );
}
