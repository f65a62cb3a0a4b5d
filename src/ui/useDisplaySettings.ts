// Theme and classroom mode: applied as attributes on <html> (the CSS keys off them) and
// remembered in localStorage, which is read defensively (it may hold anything).
import { useEffect } from 'react';
import { usePlayground, type Theme } from './store';
import { THEMES } from './validation';

const KEY = 'diffusion-playground/display';

/** The saved theme and classroom mode, each only when it is a valid value. */
export function readSavedDisplay(): { theme?: Theme; classroom?: boolean } {
  try {
    const raw: unknown = JSON.parse(localStorage.getItem(KEY) ?? '{}');
    if (typeof raw !== 'object' || raw === null) return {};
    const r = raw as Record<string, unknown>;
    const out: { theme?: Theme; classroom?: boolean } = {};
    const theme = THEMES.find((v) => v === r.theme);
    if (theme) out.theme = theme;
    if (typeof r.classroom === 'boolean') out.classroom = r.classroom;
    return out;
  } catch {
    return {};
  }
}

/** Applies the theme and classroom mode to the page and remembers them (useUrlState reads them). */
export function useDisplaySettings(): void {
  const theme = usePlayground((s) => s.theme);
  const classroom = usePlayground((s) => s.classroom);
  useEffect(() => {
    const root = document.documentElement;
    if (theme === 'system') root.removeAttribute('data-theme');
    else root.setAttribute('data-theme', theme);
    root.toggleAttribute('data-classroom', classroom);
    try {
      localStorage.setItem(KEY, JSON.stringify({ theme, classroom }));
    } catch {
      // Private mode or full storage: the setting just is not remembered.
    }
  }, [theme, classroom]);
}
