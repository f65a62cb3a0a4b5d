// "Resume last session": offered when an earlier page left an automatic snapshot of its model
// (see useSessionSnapshot). Resuming makes it the model in use; dismissing keeps it stored.
import { useEffect, useState } from 'react';
import { usePlayground } from '../store';
import { useSession } from '../sessionStore';
import { getWorker } from '../workerClient';
import { resumeLastSession } from '../modelActions';
import { describeError } from '../errors';

/** Asks the worker once, when it is ready, whether an earlier page left a snapshot. */
function useOffer(): void {
  const backend = usePlayground((s) => s.backend);
  useEffect(() => {
    if (!backend) return;
    getWorker()
      .lastSession()
      .then((found) => {
        // Not our own snapshot (this page may have written one already).
        if (found && useSession.getState().kept === null) useSession.getState().setOffered(found);
      })
      .catch(() => {
        // No IndexedDB (private mode): nothing to offer.
      });
  }, [backend]);
}

export function ResumeSession() {
  useOffer();
  const offered = useSession((s) => s.offered);
  const error = useSession((s) => s.error);
  const [busy, setBusy] = useState(false);
  const [resumeError, setResumeError] = useState<string | null>(null);
  if (!offered && !error) return null;
  const resume = async () => {
    setBusy(true);
    try {
      await resumeLastSession();
      useSession.getState().setOffered(null);
      setResumeError(null);
    } catch (e) {
      setResumeError(
        `Could not resume the last session: ${describeError(e)} The model in use is unchanged.`,
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="notice banner-notice" role="status" data-testid="resume-session">
      {offered && (
        <span>
          Your last session&apos;s model ({offered.dataset}, {offered.trainingSteps} training steps,
          kept {new Date(offered.savedAt).toLocaleString()}) is still in this browser.{' '}
          <button type="button" disabled={busy} onClick={() => void resume()}>
            Resume last session
          </button>{' '}
          <button type="button" onClick={() => useSession.getState().setOffered(null)}>
            Not now
          </button>
        </span>
      )}
      {(resumeError ?? error) && (
        <span role="alert" className="error">
          {resumeError ?? error}
        </span>
      )}
    </div>
  );
}
