// Starts the compute worker and the default model as early as possible: main.tsx calls boot()
// before React's first render, so the worker's script, the backend's start-up and the model's
// download all overlap with building the page. Idempotent (App calls it too).
import { getWorker, startSamplingPeer } from './workerClient';
import type { InitOptions } from '../worker/api';
import { usePlayground } from './store';
import { readBackendOverride, readThreadsOverride, samplingPeerCount } from './backendOverride';
import { readRemembered, remember } from './backendMemory';
import { parseHash } from './urlState';
import { describeError } from './errors';
import { loadPretrained } from './modelActions';
import { mark } from './timings';

let booted = false;

export function boot(): void {
  if (booted) return;
  booted = true;
  mark('boot');
  const dataBaseUrl = new URL('data/', document.baseURI).href;
  const modelBaseUrl = new URL('models/', document.baseURI).href;
  const { setBackend, setFatalError } = usePlayground.getState();
  const init: InitOptions = {
    preferred: readBackendOverride(window.location.search),
    remembered: readRemembered(),
    wasmThreads: readThreadsOverride(window.location.search),
    dataBaseUrl,
    modelBaseUrl,
  };
  getWorker(init)
    .init(init)
    .then((info) => {
      mark('backendReady');
      remember(info);
      setBackend(info);
      const peers = samplingPeerCount(info, window.location.search, navigator.hardwareConcurrency);
      if (peers > 0) {
        Promise.all(Array.from({ length: peers }, () => startSamplingPeer())).then(
          (taken) => {
            const samplingPeers = taken.filter(Boolean).length;
            if (samplingPeers > 0) setBackend({ ...info, samplingPeers });
          },
          // Sampling simply runs in the compute worker then; the badge says nothing of peers.
          (e: unknown) => console.warn(`no sampling peers: ${describeError(e)}`),
        );
      }
    })
    .catch((e: unknown) =>
      setFatalError(`The compute worker failed to start: ${describeError(e)}`),
    );
  // Sent right after init, not after it resolves: the worker downloads and checks the model
  // while its backend starts. The link's data set decides which one (MNIST unless it says
  // otherwise); a model the user makes or loads meanwhile is kept.
  const dataset = parseHash(window.location.hash).state.dataset ?? 'mnist';
  void loadPretrained(dataset, { auto: true, ifNoModel: true });
}
