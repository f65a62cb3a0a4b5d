// The noise-aware classifier p_φ(y | x_t, t) that classifier guidance differentiates: which one
// guides the data set (the shipped one, or one trained in this page), its test accuracy per
// t-bucket (near the clean judge's at small t, falling to chance as t → T: how far its gradient
// can be trusted at each step), and a button that trains a fresh one here on a time budget
// (guided-diffusion's classifier_train.py recipe), so a class can watch what guidance needs.
import { useEffect } from 'react';
import {
  cancelNoisyClassifierTraining,
  refreshNoisyClassifierInfo,
  revertToShippedClassifier,
  trainNoisyClassifierHere,
} from '../noisyClassifierActions';
import { TRAINING_SECONDS, useNoisyClassifier } from '../noisyClassifierStore';
import type { BucketAccuracy, NoisyClassifierInfo } from '../../worker/api';
import { Tex } from './Tex';

export interface NoisyClassifierPanelProps {
  dataset: string;
  numClasses: number;
  /** Changes when the worker may have loaded the shipped classifier (a guided frame arrived). */
  loadedKey: string;
}

const TRAINING_LOSS = String.raw`\mathcal{L}(\phi) = -\log p_\phi(y \mid x_t, t),\quad x_t = \sqrt{\bar\alpha_t}\,x_0 + \sqrt{1-\bar\alpha_t}\,\epsilon,\quad t \sim \mathcal{U}\{0,\dots,T-1\}`;

function AccuracyTable(props: { rows: BucketAccuracy[]; numClasses: number }) {
  const { rows, numClasses } = props;
  return (
    <table className="compact" data-testid="noisy-classifier-accuracy">
      <caption>
        Test accuracy on noised images x_t, per t (t counted from 0; chance{' '}
        {(100 / numClasses).toFixed(0)}%; {rows[0]?.count ?? 0} images per bucket)
      </caption>
      <thead>
        <tr>
          <th scope="col">t</th>
          {rows.map((r) => (
            <th scope="col" key={r.tFrom}>
              {r.tFrom}–{r.tTo - 1}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        <tr>
          <th scope="row">accuracy</th>
          {rows.map((r) => (
            <td key={r.tFrom}>{(100 * r.accuracy).toFixed(0)}%</td>
          ))}
        </tr>
      </tbody>
    </table>
  );
}

function originText(info: NoisyClassifierInfo, dataset: string): string {
  if (info.origin === 'shipped') return `the shipped one (models/${dataset}-noisy-classifier)`;
  const s = info.wallTimeSeconds === null ? '' : ` in ${info.wallTimeSeconds.toFixed(0)} s`;
  return `trained in this browser: ${info.steps ?? '?'} steps on ${info.trainImages ?? '?'} images${s}`;
}

export function NoisyClassifierPanel(props: NoisyClassifierPanelProps) {
  const { dataset, numClasses, loadedKey } = props;
  const info = useNoisyClassifier((s) => s.info[dataset] ?? null);
  const status = useNoisyClassifier((s) => s.status);
  const progress = useNoisyClassifier((s) => s.progress);
  const error = useNoisyClassifier((s) => s.error);
  const seconds = useNoisyClassifier((s) => s.seconds);
  const setSeconds = useNoisyClassifier((s) => s.setSeconds);
  const busy = status !== 'idle';
  useEffect(() => {
    void refreshNoisyClassifierInfo(dataset);
  }, [dataset, loadedKey, status]);
  const elapsed = progress?.elapsedSeconds ?? 0;
  return (
    <section
      className="panel"
      aria-label="The noise-aware classifier"
      data-testid="noisy-classifier-panel"
    >
      <h3>The noise-aware classifier p_φ(y | x_t, t)</h3>
      <Tex expr={TRAINING_LOSS} display />
      <p className="muted">
        Dhariwal &amp; Nichol 2021, Sec. 4 (guided-diffusion’s classifier_train.py): a small CNN
        with the timestep embedding, trained on noised images with t uniform, so that its gradient
        means something at every step of sampling.
      </p>
      <p data-testid="noisy-classifier-origin">
        In use:{' '}
        {info ? originText(info, dataset) : 'the shipped one, loaded at the first guided run'}.
      </p>
      {info?.accuracyByT && info.accuracyByT.length > 0 && (
        <AccuracyTable rows={info.accuracyByT} numClasses={numClasses} />
      )}
      <div className="controls">
        <label>
          Train for (s)
          <input
            type="number"
            aria-label="Classifier training seconds"
            min={TRAINING_SECONDS.min}
            max={TRAINING_SECONDS.max}
            step={10}
            value={seconds}
            disabled={busy}
            onChange={(e) => setSeconds(Number(e.target.value))}
          />
        </label>
        {busy ? (
          <button
            type="button"
            onClick={() => void cancelNoisyClassifierTraining()}
            disabled={status === 'cancelling'}
          >
            Cancel classifier training
          </button>
        ) : (
          <button type="button" onClick={() => void trainNoisyClassifierHere(dataset)}>
            Train a classifier here
          </button>
        )}
        {info?.origin === 'browser' && !busy && (
          <button type="button" onClick={() => void revertToShippedClassifier(dataset)}>
            Use the shipped classifier
          </button>
        )}
      </div>
      {busy && (
        <p data-testid="noisy-classifier-progress" aria-live="polite">
          <progress
            aria-label="Classifier training progress"
            max={1}
            value={progress?.phase === 'measuring' ? 1 : Math.min(1, elapsed / seconds)}
          />{' '}
          {progress === null
            ? 'loading the training images…'
            : progress.phase === 'measuring'
              ? `measuring the accuracy per t on test images after ${progress.step} steps…`
              : `step ${progress.step} (one epoch is ${progress.totalSteps}), ${elapsed.toFixed(0)} of ${seconds} s; ` +
                `cross-entropy ${progress.loss?.toFixed(3)} nats per image, accuracy on the noised ` +
                `batches ${(100 * (progress.accuracy ?? 0)).toFixed(0)}% (all t mixed)`}
        </p>
      )}
      {error && (
        <p className="error" role="alert" data-testid="noisy-classifier-error">
          {error}
        </p>
      )}
      <p className="muted">
        Look for: accuracy near the clean classifier’s at small t and near chance as t → T. The
        trained classifier replaces the shipped one from the next Sample on: compare its table and
        its samples at the same classifier scale with the shipped one’s (a minute here is about half
        an epoch of MNIST).
      </p>
    </section>
  );
}
