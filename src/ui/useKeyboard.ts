// Keyboard use for the whole page: ←/→ move t by one (Shift: by a tenth of T), space plays or
// pauses; in the sampling view they step the sampler back and forward and play or pause it. Keys typed into form fields are left alone, so inputs and selects work as usual.
import { useEffect } from 'react';
import { usePlayground } from './store';
import { stepBack, stepForward, togglePlay } from './samplingActions';

function isFormField(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  // The range slider handles its own arrows; buttons handle their own space.
  return tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA' || tag === 'BUTTON';
}

export function useKeyboard(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || isFormField(e.target)) return;
      const s = usePlayground.getState();
      if (s.view === 'sampling') {
        // In the sampling view the same keys step the sampler.
        if (e.key === 'ArrowRight') void stepForward();
        else if (e.key === 'ArrowLeft') stepBack();
        else if (e.key === ' ') togglePlay();
        else return;
        e.preventDefault();
        return;
      }
      if (s.view !== 'forward' && s.view !== 'schedules') return;
      const stride = e.shiftKey ? Math.max(1, Math.round(s.T / 10)) : 1;
      if (e.key === 'ArrowRight') {
        s.setPlaying(false);
        s.setTimestep(s.t + stride);
      } else if (e.key === 'ArrowLeft') {
        s.setPlaying(false);
        s.setTimestep(s.t - stride);
      } else if (e.key === ' ') {
        if (!s.playing && s.t >= s.T - 1) s.setTimestep(0);
        s.setPlaying(!s.playing);
      } else {
        return;
      }
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
