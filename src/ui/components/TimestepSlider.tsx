// The shared timestep t, used by every view. Arrow keys on the focused slider move t by one;
// Play animates t from where it is to T - 1 (space toggles it, see useKeyboard).
import { useEffect } from 'react';
import { usePlayground } from '../store';

/** About four seconds from t = 0 to T - 1 at 60 frames per second, whatever T is. */
const FRAMES_FOR_FULL_RUN = 240;

export function TimestepSlider() {
  const { t, T, setTimestep, playing, setPlaying } = usePlayground();

  useEffect(() => {
    if (!playing) return;
    let frame = 0;
    const stride = Math.max(1, Math.round(T / FRAMES_FOR_FULL_RUN));
    const tick = () => {
      const s = usePlayground.getState();
      if (s.t >= s.T - 1) {
        s.setPlaying(false);
        return;
      }
      s.setTimestep(s.t + stride);
      frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(frame);
  }, [playing, T]);

  const togglePlay = () => {
    // Playing from the end starts over.
    if (!playing && t >= T - 1) setTimestep(0);
    setPlaying(!playing);
  };

  return (
    <div className="timestep">
      <label htmlFor="timestep-slider">
        Timestep <i>t</i> = <output data-testid="t-value">{t}</output>
        <span className="muted"> of {T - 1}</span>
      </label>
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
      </div>
    </div>
  );
}
