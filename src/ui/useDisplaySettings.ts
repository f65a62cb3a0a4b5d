// Theme and classroom mode: applied as attributes on <html> (the CSS keys off them) and
// remembered in localStorage, which is read defensively (it may hold anything).
import { useEffect } from 'react';
import { usePlayground, type Theme } from './store';

const KEY = 'diffusion-playground/display';

function readSaved(): { theme?: Theme; classroom?: boolean } {
  try {
    const raw: unknown = JSON.parse(localStorage.getItem(KEY) ?? '{}');
    if (typeof raw !== 'object' || raw === null) return {};
    const r = raw as Record<string, unknown>;
    const theme = ['system', 'light', 'dark'].includes(r.theme as string)
      ? (r.theme as Theme)
      : undefined;
    return { theme, classroom: typeof r.classroom === 'boolean' ? r.classroom : undefined };
  } catch {
    return {};
  }
}

export function useDisplaySettings(): void {
  useEffect(() => {
    const saved = readSaved();
    if (saved.theme) usePlayground.getState().setTheme(saved.theme);
    if (saved.classroom !== undefined) usePlayground.getState().setClassroom(saved.classroom);
  }, []);
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
