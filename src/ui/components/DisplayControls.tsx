// Header controls: classroom mode and the colour theme.
import { usePlayground, type Theme } from '../store';

export function DisplayControls() {
  const { theme, setTheme, classroom, setClassroom } = usePlayground();
  return (
    <div className="display-controls">
      <button
        type="button"
        aria-pressed={classroom}
        onClick={() => setClassroom(!classroom)}
        title="Larger type and fewer controls, for a projector"
      >
        Classroom mode
      </button>
      <label className="inline">
        Theme
        <select
          aria-label="Theme"
          value={theme}
          onChange={(e) => setTheme(e.target.value as Theme)}
        >
          <option value="system">system</option>
          <option value="light">light</option>
          <option value="dark">dark</option>
        </select>
      </label>
    </div>
  );
}
