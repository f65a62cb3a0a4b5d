// The shared timestep t, used by every view. Arrow keys on the focused slider move t by one.
import { usePlayground } from '../store';

export function TimestepSlider() {
  const { t, T, setTimestep } = usePlayground();
  return (
    <div className="timestep">
      <label htmlFor="timestep-slider">
        Timestep <i>t</i> = <output data-testid="t-value">{t}</output>
        <span className="muted"> of {T - 1}</span>
      </label>
      <input
        id="timestep-slider"
        type="range"
        aria-label="Timestep t"
        min={0}
        max={T - 1}
        step={1}
        value={t}
        onChange={(e) => setTimestep(Number(e.target.value))}
      />
    </div>
  );
}
