// Reloading or closing the tab mid-training must not lose the model without a word: while a
// model of the user's own is training the page asks before leaving (beforeunload), and the model
// is kept in IndexedDB automatically (every SNAPSHOT_EVERY_MS while it trains, and whenever
// training stops), so "Resume last session" brings it back after a reload.
import { useEffect } from 'react';
import { getWorker } from './workerClient';
import { useTraining } from './trainingStore';
import { useSession } from './sessionStore';
import { describeError } from './errors';

export const SNAPSHOT_EVERY_MS = 20_000;

function trainingOwnModel(): boolean {
  const { state, model } = useTraining.getState();
  return state === 'running' && model !== null && model.origin !== 'pretrained';
}

/** Keeps the model in use as the last session; errors are shown, never thrown. */
export async function snapshotNow(): Promise<void> {
  try {
    const kept = await getWorker().snapshotSession();
    useSession.getState().setKept(kept);
    useSession.getState().setError(null);
  } catch (e) {
    useSession.getState().setError(`The automatic snapshot failed: ${describeError(e)}`);
  }
}

export function useLeaveGuard(): void {
  useEffect(() => {
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      if (!trainingOwnModel()) return;
      // Browsers show their own words; both calls are needed across browsers.
      e.preventDefault();
      e.returnValue = '';
    };
    window.addEventListener('beforeunload', onBeforeUnload);

    // A snapshot when a run of the user's model stops (pause, finish, failure) ...
    const unsubscribe = useTraining.subscribe((s, prev) => {
      const own = s.model !== null && s.model.origin !== 'pretrained';
      if (own && prev.state === 'running' && s.state !== 'running') void snapshotNow();
    });
    // ... and every so often while it runs.
    const timer = window.setInterval(() => {
      if (trainingOwnModel()) void snapshotNow();
    }, SNAPSHOT_EVERY_MS);
    return () => {
      window.removeEventListener('beforeunload', onBeforeUnload);
      unsubscribe();
      window.clearInterval(timer);
    };
  }, []);
}
