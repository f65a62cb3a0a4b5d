// How fast Play runs: the t sweep (Forward, Schedules) and the sampler's steps (Reverse sampling).
import { PLAY_SPEEDS, usePlayground } from '../store';

export function PlaySpeed() {
  const speed = usePlayground((s) => s.playSpeed);
  const setSpeed = usePlayground((s) => s.setPlaySpeed);
  return (
    <label
      className="inline"
      title="1×: a sweep over all t takes 4 s; the sampler shows at most 10 steps per second"
    >
      Play speed
      <select
        aria-label="Play speed"
        value={speed}
        onChange={(e) => setSpeed(Number(e.target.value))}
      >
        {PLAY_SPEEDS.map((v) => (
          <option key={v} value={v}>
            {v}×
          </option>
        ))}
      </select>
    </label>
  );
}
