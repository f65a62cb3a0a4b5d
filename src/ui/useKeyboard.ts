// Keyboard use for the whole page: ←/→ move t by one (Shift: by a tenth of T), space plays or
// pauses (from the end it starts again); in the sampling view they step the sampler back and
// forward and play or pause it (a finished run starts again), and in the Latent diffusion view they
// do the same with its sampled latent trajectory. The keys work whichever control has
// focus — a tab just clicked, a slider just dragged, a checkbox or a select — except fields that
// take typed text (text and number inputs, text areas), where they keep their usual meaning.
import { useEffect } from 'react';
import { usePlayground } from './store';
import { useLatent } from './latentStore';
import { stepBack, stepForward, togglePlay } from './samplingActions';

/** Input types whose arrows and space edit typed text. */
const TEXT_INPUT_TYPES = new Set([
  'text',
  'number',
  'search',
  'email',
  'url',
  'tel',
  'password',
  'date',
  'time',
  'datetime-local',
  'month',
  'week',
]);

export function isTextField(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target.tagName === 'TEXTAREA') return true;
  return target instanceof HTMLInputElement && TEXT_INPUT_TYPES.has(target.type);
}

const KEYS = new Set(['ArrowRight', 'ArrowLeft', ' ']);

function handles(e: KeyboardEvent): boolean {
  if (e.altKey || e.ctrlKey || e.metaKey || !KEYS.has(e.key) || isTextField(e.target)) return false;
  const { view } = usePlayground.getState();
  return view === 'sampling' || view === 'forward' || view === 'schedules' || view === 'latent';
}

function act(e: KeyboardEvent): void {
  const s = usePlayground.getState();
  if (s.view === 'latent') {
    // The Latent diffusion view: step through the sampled latent trajectory.
    const l = useLatent.getState();
    const last = (l.trajectory?.frames.length ?? 0) - 1;
    if (e.key === 'ArrowRight') l.setAt(l.at + 1);
    else if (e.key === 'ArrowLeft') l.setAt(l.at - 1);
    else if (last >= 0) {
      if (!l.playing && l.at >= last) l.setAt(0);
      l.set({ playing: !l.playing });
      return;
    }
    l.set({ playing: false });
    return;
  }
  if (s.view === 'sampling') {
    // In the sampling view the same keys step the sampler.
    if (e.key === 'ArrowRight') void stepForward();
    else if (e.key === 'ArrowLeft') stepBack();
    else togglePlay();
    return;
  }
  const stride = e.shiftKey ? Math.max(1, Math.round(s.T / 10)) : 1;
  if (e.key === 'ArrowRight') {
    s.setPlaying(false);
    s.setTimestep(s.t + stride);
  } else if (e.key === 'ArrowLeft') {
    s.setPlaying(false);
    s.setTimestep(s.t - stride);
  } else {
    if (!s.playing && s.t >= s.T - 1) s.setTimestep(0);
    s.setPlaying(!s.playing);
  }
}

export function useKeyboard(): void {
  useEffect(() => {
    // Capture phase, before the focused control sees the key: a focused slider, select or tab
    // would otherwise move itself (or be clicked by space) instead of driving the demo.
    const onKeyDown = (e: KeyboardEvent) => {
      if (e.defaultPrevented || !handles(e)) return;
      e.preventDefault();
      if (!e.repeat || e.key !== ' ') act(e);
    };
    // Buttons and checkboxes act on space's keyup: swallow it too, or a focused Play button
    // would toggle twice (once here, once by its click).
    const onKeyUp = (e: KeyboardEvent) => {
      if (e.key === ' ' && handles(e)) e.preventDefault();
    };
    window.addEventListener('keydown', onKeyDown, { capture: true });
    window.addEventListener('keyup', onKeyUp, { capture: true });
    return () => {
      window.removeEventListener('keydown', onKeyDown, { capture: true });
      window.removeEventListener('keyup', onKeyUp, { capture: true });
    };
  }, []);
}
