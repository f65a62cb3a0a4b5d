// The shared timestep t, used by every view. ←/→ move t by one wherever focus is (useKeyboard);
// Play animates t from where it is to T - 1 (space toggles it), at the chosen play speed.
import { useEffect } from 'react';
import { usePlayground } from '../store';
import { PlaySpeed } from './PlaySpeed';

/** At 1×, a sweep from t = 0 to T - 1 takes four seconds, whatever T is and however slowly
 * frames come (each t redraws x_t in the worker): t follows the clock, not the frame count. */
const FULL_RUN_MS = 4000;

export function TimestepSlider() {
  const { t, T, setTimestep, playing, setPlaying, playSpeed } = usePlayground();

  useEffect(() => {
    if (!playing) return;
    let frame = 0;
    let last = performance.now();
    // Fractional steps accumulate, so slow speeds at small T still move at the asked rate.
    let carry = 0;
    const tick = (now: number) => {
      const s = usePlayground.getState();
      if (s.t >= s.T - 1) {
        s.setPlaying(false);
        return;
      }
      carry += (Math.max(0, now - last) / FULL_RUN_MS) * playSpeed * (T - 1);
      last = now;
      const whole = Math.floor(carry);
      if (whole > 0) {
        carry -= whole;
        s.setTimestep(s.t + whole);
      }
      frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(frame);
  }, [playing, T, playSpeed]);

  const togglePlay = () => {
    // Playing from the end starts over.
    if (!playing && t >= T - 1) setTimestep(0);
    setPlaying(!playing);
  };

  return (
    <div className="timestep">
      <div className="timestep-row">
        <button
          type="button"
          onClick={togglePlay}
          aria-pressed={playing}
          title="Animate t (space)"
          className="play-button"
        >
          {playing ? 'Pause' : 'Play'}
        </button>
        <label htmlFor="timestep-slider" className="timestep-label">
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
          onChange={(e) => {
            setPlaying(false);
            setTimestep(Number(e.target.value));
          }}
        />
        <PlaySpeed />
      </div>
    </div>
  );
}
