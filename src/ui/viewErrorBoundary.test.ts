// The per-view error boundary's fallback and reset (no DOM in these tests: the fallback is
// rendered to markup, the reset's effect is checked on the stores).
import { describe, expect, it, vi } from 'vitest';
import type { ReactElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { ViewErrorBoundary } from './components/ViewErrorBoundary';
import { resetSettings } from './resetSettings';
import { PLAYGROUND_DEFAULTS, usePlayground } from './store';
import { DEFAULT_SAMPLING, useSampling } from './samplingStore';

describe('ViewErrorBoundary', () => {
  it('says which view failed and why, and offers a reset', () => {
    const onReset = vi.fn();
    const boundary = new ViewErrorBoundary({ title: 'Schedules', onReset, children: null });
    boundary.state = ViewErrorBoundary.getDerivedStateFromError(
      new TypeError("Cannot read properties of undefined (reading 'toExponential')"),
    );
    const html = renderToStaticMarkup(boundary.render() as ReactElement);
    expect(html).toContain('The Schedules view stopped with an error');
    expect(html).toContain('toExponential');
    expect(html).toContain('role="alert"');
    expect(html).toContain('Reset the settings and show it again');
  });

  it('renders its view untouched while there is no error', () => {
    const boundary = new ViewErrorBoundary({ title: 'Forward', onReset: () => {}, children: 'ok' });
    expect(boundary.render()).toBe('ok');
  });

  it('reset puts the shared settings back to defaults, keeping the view, theme and classroom', () => {
    usePlayground.setState({ view: 'schedules', T: 77, t: 5, theme: 'dark', classroom: true });
    useSampling.getState().setSettings({ steps: 7, n: 2 });
    resetSettings();
    const s = usePlayground.getState();
    expect([s.view, s.T, s.t, s.theme, s.classroom]).toEqual([
      'schedules',
      PLAYGROUND_DEFAULTS.T,
      PLAYGROUND_DEFAULTS.t,
      'dark',
      true,
    ]);
    expect(useSampling.getState().settings).toEqual(DEFAULT_SAMPLING);
  });
});
