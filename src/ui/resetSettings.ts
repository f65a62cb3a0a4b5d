// What an error boundary's reset does: every shared setting back to its default (the view, the
// theme and classroom mode stay), through the same validated setters as everything else. The
// model and its training are left alone.
import { PLAYGROUND_DEFAULTS, usePlayground } from './store';
import { DEFAULT_SAMPLING, useSampling } from './samplingStore';

export function resetSettings(): void {
  const { view, theme, classroom } = usePlayground.getState();
  usePlayground.setState({ ...PLAYGROUND_DEFAULTS, view, theme, classroom, playing: false });
  useSampling.getState().setSettings(DEFAULT_SAMPLING);
  useSampling.getState().setPendingStep(null);
}
