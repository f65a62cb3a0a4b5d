// Keeps the URL hash and the store in step: read once at start (and when the user edits the
// hash), written back with replaceState as the state changes (no history entry per slider move).
import { useEffect } from 'react';
import { usePlayground, type PlaygroundState } from './store';
import { formatHash, parseHash, type SharedState } from './urlState';
import { useSampling } from './samplingStore';

function shared(s: PlaygroundState): SharedState {
  const sampling = useSampling.getState().settings;
  return {
    classIndex: sampling.classIndex,
    guidanceScale: sampling.guidanceScale,
    sampler: sampling.sampler,
    steps: sampling.steps,
    clipX0: sampling.clipX0,
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
  const { classIndex, guidanceScale, sampler, steps, clipX0, ...playground } = state;
  usePlayground.setState(playground);
  const sampling = Object.fromEntries(
    Object.entries({ classIndex, guidanceScale, sampler, steps, clipX0 }).filter(
      ([, v]) => v !== undefined,
    ),
  );
  useSampling.getState().setSettings(sampling);
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
    const write = () => {
      const next = formatHash(shared(usePlayground.getState()));
      if (next !== last) {
        last = next;
        window.history.replaceState(null, '', next);
      }
    };
    const unsubscribe = usePlayground.subscribe(write);
    const unsubscribeSampling = useSampling.subscribe(write);
    return () => {
      window.removeEventListener('hashchange', onHashChange);
      unsubscribe();
      unsubscribeSampling();
    };
  }, []);
}
