// Keeps the URL hash and the stores in step: read once at start (and when the user edits the
// hash), written back with replaceState as the state changes (no history entry per slider move).
// Both the hash and the stored display settings enter through the stores' validated setters.
import { useEffect } from 'react';
import { usePlayground, type PlaygroundState } from './store';
import { formatHash, parseHash, type SharedState } from './urlState';
import { useSampling, type SamplingSettings } from './samplingStore';
import { useTraining } from './trainingStore';
import { readSavedDisplay } from './useDisplaySettings';
import { useScore2d } from './score2dStore';
import { formatScore2dHash, parseScore2dHash, withoutDrawnPoints } from './score2dUrl';
import { useLikelihood } from './likelihoodStore';
import { formatLikelihoodHash, parseLikelihoodHash } from './likelihoodUrl';
import { useLatent } from './latentStore';
import { formatLatentHash, parseLatentHash } from './latentUrl';
import { useComparison } from './comparisonStore';
import { formatComparisonHash, parseComparisonHash } from './comparisonUrl';
import { useCascade } from './cascadeStore';
import { formatCascadeHash, parseCascadeHash } from './cascadeUrl';

function shared(s: PlaygroundState): SharedState {
  const sampling = useSampling.getState();
  const { settings, frames, view } = sampling;
  return {
    classIndex: settings.classIndex,
    guidanceScale: settings.guidanceScale,
    sampler: settings.sampler,
    steps: settings.steps,
    eta: settings.eta,
    samplingSeed: settings.seed,
    n: settings.n,
    // The frame on screen; a link made before the first grid keeps the step it was opened with.
    step: frames[view]?.stepsDone ?? sampling.pendingStep,
    clipX0: settings.clipX0,
    guidanceMethod: settings.guidanceMethod,
    classifierScale: settings.classifierScale,
    variance: settings.variance,
    snr: settings.snr,
    langevinSteps: settings.langevinSteps,
    view: s.view,
    dataset: s.dataset,
    scheduleKind: s.scheduleKind,
    T: s.T,
    linearScaled: s.linearScaled,
    t: s.t,
    imageIndex: s.imageIndex,
    seed: s.seed,
    theme: s.theme,
    classroom: s.classroom,
  };
}

/** The whole hash: the app's keys, then the Score & SDE view's (score2dUrl.ts) and the Likelihood view's (likelihoodUrl.ts). */
function fullHash(s: PlaygroundState): string {
  const sc = useScore2d.getState();
  // A drawn data set with no points yet is shared as the default preset.
  const preset = sc.preset === 'drawn' && sc.drawnPoints.length === 0 ? 'mixture' : sc.preset;
  const steps = sc.steps ?? sc.defaults?.[sc.sampler].steps ?? 500;
  const extra = formatScore2dHash({
    preset,
    drawnPoints: sc.drawnPoints,
    sampler: sc.sampler,
    sde: sc.sde,
    level: sc.level,
    steps,
  });
  const likelihood = formatLikelihoodHash(useLikelihood.getState().settings);
  // The samplers side by side (comparisonUrl.ts).
  const comparison = formatComparisonHash(useComparison.getState().sides);
  // The Latent diffusion view's keys (latentUrl.ts), only those that differ from the defaults.
  const latent = formatLatentHash(useLatent.getState().settings);
  // The Cascade view's keys (cascadeUrl.ts).
  const cs = useCascade.getState();
  const cascade = formatCascadeHash(cs.settings, cs.result ? cs.at : cs.pendingAt);
  return `${formatHash(shared(s))}&${extra}&${likelihood}&${comparison}&${cascade}${latent ? `&${latent}` : ''}`;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function applyHash(hash: string): void {
  // The drawn points (up to 1,602 characters) are the Score & SDE view's alone: the other parsers
  // read the hash without them.
  const short = withoutDrawnPoints(hash);
  const { state, problems: appProblems } = parseHash(short);
  // The Score & SDE view's keys (score2dUrl.ts) travel in the same hash.
  const score = parseScore2dHash(hash);
  useScore2d.getState().set(score.state);
  const likelihood = parseLikelihoodHash(short);
  useLikelihood.getState().setSettings(likelihood.state);
  const comparison = parseComparisonHash(hash);
  comparison.sides.forEach((side, i) => useComparison.getState().setSide(i as 0 | 1, side));
  const latent = parseLatentHash(short);
  useLatent.getState().setSettings(latent.state);
  const cascade = parseCascadeHash(short);
  useCascade.getState().setSettings(cascade.state.settings);
  if (cascade.state.at !== undefined) useCascade.getState().set({ pendingAt: cascade.state.at });
  const problems = [
    ...appProblems,
    ...cascade.problems,
    ...score.problems,
    ...likelihood.problems,
    ...comparison.problems,
    ...latent.problems,
  ];
  const {
    classIndex,
    guidanceScale,
    sampler,
    steps,
    eta,
    samplingSeed,
    n,
    step,
    clipX0,
    guidanceMethod,
    classifierScale,
    variance,
    snr,
    langevinSteps,
    ...playground
  } = state;
  // The data set of a model in training cannot change under it (the select is disabled too).
  if (
    playground.dataset !== undefined &&
    playground.dataset !== usePlayground.getState().dataset &&
    useTraining.getState().state === 'running'
  ) {
    problems.push(`data=${playground.dataset} was ignored while the model is training`);
    delete playground.dataset;
  }
  usePlayground.setState(playground);
  const sampling: Partial<SamplingSettings> = definedOnly({
    classIndex,
    guidanceScale,
    sampler,
    steps,
    eta,
    seed: samplingSeed,
    n,
    clipX0,
    guidanceMethod,
    classifierScale,
    variance,
    snr,
    langevinSteps,
  });
  useSampling.getState().setSettings(sampling);
  if (step !== undefined) useSampling.getState().setPendingStep(step);
  usePlayground
    .getState()
    .setNotice(problems.length ? `Some link settings were ignored: ${problems.join('; ')}.` : null);
}

export function useUrlState(): void {
  useEffect(() => {
    // Stored display settings first: a link's theme or classroom mode wins over them.
    usePlayground.setState(readSavedDisplay());
    applyHash(window.location.hash);
    const onHashChange = () => {
      if (window.location.hash !== fullHash(usePlayground.getState())) {
        applyHash(window.location.hash);
      }
    };
    window.addEventListener('hashchange', onHashChange);
    let last = '';
    const write = () => {
      const next = fullHash(usePlayground.getState());
      if (next !== last) {
        last = next;
        window.history.replaceState(null, '', next);
      }
    };
    const unsubscribe = usePlayground.subscribe(write);
    const unsubscribeSampling = useSampling.subscribe(write);
    const unsubscribeScore = useScore2d.subscribe(write);
    const unsubscribeLikelihood = useLikelihood.subscribe(write);
    const unsubscribeComparison = useComparison.subscribe(write);
    const unsubscribeLatent = useLatent.subscribe(write);
    const unsubscribeCascade = useCascade.subscribe(write);
    return () => {
      window.removeEventListener('hashchange', onHashChange);
      unsubscribe();
      unsubscribeSampling();
      unsubscribeScore();
      unsubscribeLikelihood();
      unsubscribeComparison();
      unsubscribeLatent();
      unsubscribeCascade();
    };
  }, []);
}
