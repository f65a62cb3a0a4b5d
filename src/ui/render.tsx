// The React app, loaded by main.tsx after the worker has been started (bootEarly.ts): split off
// so that the first script the page runs is small and boot() is not held up by parsing the views,
// their plots and the math typesetting.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';

export function render(root: HTMLElement): void {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
