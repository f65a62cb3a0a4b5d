// Keeps the URL hash and the store in step: read once at start (and when the user edits the
// hash), written back with replaceState as the state changes (no history entry per slider move).
import { useEffect } from 'react';
import { usePlayground, type PlaygroundState } from './store';
import { formatHash, parseHash, type SharedState } from './urlState';

function shared(s: PlaygroundState): SharedState {
  return {
    view: s.view,
    dataset: s.dataset,
    scheduleKind: s.scheduleKind,
    T: s.T,
    linearScaled: s.linearScaled,
    t: s.t,
    imageIndex: s.imageIndex,
    seed: s.seed,
  };
}

function applyHash(hash: string): void {
  const { state, problems } = parseHash(hash);
  // T before t, so t is clamped against the new T.
  usePlayground.setState(state);
  usePlayground
    .getState()
    .setNotice(problems.length ? `Some link settings were ignored: ${problems.join('; ')}.` : null);
}

export function useUrlState(): void {
  useEffect(() => {
    applyHash(window.location.hash);
    const onHashChange = () => {
      if (window.location.hash !== formatHash(shared(usePlayground.getState()))) {
        applyHash(window.location.hash);
      }
    };
    window.addEventListener('hashchange', onHashChange);
    let last = '';
    const unsubscribe = usePlayground.subscribe((s) => {
      const next = formatHash(shared(s));
      if (next !== last) {
        last = next;
        window.history.replaceState(null, '', next);
      }
    });
    return () => {
      window.removeEventListener('hashchange', onHashChange);
      unsubscribe();
    };
  }, []);
}
