// The model in use: what it is, and new / pretrained / save / load / download / upload. Its
// errors show in the panel itself, in whichever view it sits (an upload that fails in Reverse
// sampling says so there, not on the Training tab).
import { useEffect, useRef, useState } from 'react';
import type { DatasetName, ModelInfo, SavedModelInfo } from '../../worker/api';
import { useTraining } from '../trainingStore';
import { usePlayground } from '../store';
import { usePretrained } from '../pretrainedStore';
import { DATASET_TITLES, PRETRAINED } from '../pretrainedModels';
import { getWorker } from '../workerClient';
import {
  createModel,
  downloadModel,
  loadPretrained,
  loadSavedModel,
  uploadModel,
} from '../modelActions';
import { describeError } from '../errors';

const PRETRAINED_DATASETS: readonly DatasetName[] = ['mnist', 'cifar10'];

function ModelDescription({ model }: { model: ModelInfo }) {
  const params = `${(model.numParams / 1e6).toFixed(2)}M parameters`;
  const gflop = `${(model.flopsPerImage / 1e9).toFixed(2)} GFLOP per image`;
  const schedule = `${model.schedule.kind} schedule with T = ${model.schedule.T}`;
  const steps = <span data-testid="model-steps">{model.trainingSteps}</span>;
  if (model.origin === 'pretrained') {
    return (
      <p data-testid="model-info" data-origin={model.origin} data-dataset={model.dataset}>
        <strong>Pretrained {DATASET_TITLES[model.dataset]} model</strong> ({steps} training steps,{' '}
        {params}): {gflop}, {schedule}, class-conditional with label dropout for classifier-free
        guidance{model.ema ? ', EMA weights' : ''}.
      </p>
    );
  }
  return (
    <p data-testid="model-info" data-origin={model.origin} data-dataset={model.dataset}>
      <strong>{model.label}</strong>: {model.dataset}, {params}, {gflop}, {schedule}, {steps}{' '}
      training steps
      {model.ema ? ' (EMA weights)' : ''}.
    </p>
  );
}

export function ModelPanel() {
  const model = useTraining((s) => s.model);
  const preset = useTraining((s) => s.settings.preset);
  const trainingState = useTraining((s) => s.state);
  const dataset = usePlayground((s) => s.dataset);
  const backend = usePlayground((s) => s.backend);
  const [saved, setSaved] = useState<SavedModelInfo[]>([]);
  const [name, setName] = useState('my-model');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const pretrainedLoading = usePretrained((s) => s.loading);
  const pretrainedError = usePretrained((s) => s.error);
  const upload = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (!backend) return;
    getWorker()
      .listSavedModels()
      .then(setSaved)
      .catch(() => setSaved([]));
  }, [backend]);

  const run = async (action: () => Promise<unknown>, what: string) => {
    setBusy(true);
    try {
      await action();
      setError(null);
    } catch (e) {
      const why = describeError(e).replace(/[\s.]*$/, '.');
      setError(`${what} failed: ${why} The model in use is unchanged.`);
    } finally {
      setBusy(false);
    }
  };
  const running = trainingState === 'running';

  return (
    <section className="panel model-panel" aria-label="Model">
      <h3>Model</h3>
      {model ? (
        <ModelDescription model={model} />
      ) : (
        <p className="muted" data-testid="model-info">
          {pretrainedLoading.length > 0
            ? 'Loading the pretrained model…'
            : 'No model yet: create one, or load a pretrained, saved or downloaded one.'}
        </p>
      )}
      <div className="controls">
        {PRETRAINED_DATASETS.map((d) => {
          const loading = pretrainedLoading.includes(d);
          return (
            <button
              key={d}
              type="button"
              disabled={loading || running}
              aria-busy={loading}
              onClick={() => void loadPretrained(d)}
            >
              {loading
                ? `Loading pretrained ${PRETRAINED[d].title}…`
                : `Load pretrained ${PRETRAINED[d].title}`}
            </button>
          );
        })}
      </div>
      {pretrainedError && (
        <p role="alert" className="error" data-testid="pretrained-error">
          {pretrainedError}
        </p>
      )}
      <div className="controls">
        <button
          type="button"
          disabled={busy || running || !backend}
          onClick={() => void run(() => createModel(dataset, preset), 'New model')}
        >
          New {preset} model
        </button>
        <label>
          Save as
          <input
            aria-label="Model name"
            value={name}
            maxLength={100}
            onChange={(e) => setName(e.target.value)}
          />
        </label>
        <button
          type="button"
          disabled={busy || !model}
          onClick={() =>
            void run(async () => setSaved(await getWorker().saveModel(name)), 'Saving')
          }
        >
          Save in browser
        </button>
        <button
          type="button"
          disabled={busy || !model}
          onClick={() => void run(downloadModel, 'Download')}
        >
          Download
        </button>
        <label className="file-button">
          <span>Upload a model</span>
          <input
            ref={upload}
            type="file"
            multiple
            accept=".dpck,.json,.bin"
            aria-label="Upload a model"
            disabled={busy || running}
            onChange={(e) => {
              const files = Array.from(e.target.files ?? []);
              if (upload.current) upload.current.value = '';
              if (files.length) void run(() => uploadModel(files), 'Upload');
            }}
          />
        </label>
      </div>
      {error && (
        <p role="alert" className="error" data-testid="model-error">
          {error}
        </p>
      )}
      {saved.length > 0 && (
        <ul className="saved-models" aria-label="Saved models">
          {saved.map((s) => (
            <li key={s.name}>
              <span>
                {s.name} — {s.dataset}, {s.trainingSteps} steps
              </span>
              <button
                type="button"
                disabled={busy || running}
                onClick={() => void run(() => loadSavedModel(s.name), `Loading ${s.name}`)}
              >
                Load {s.name}
              </button>
              <button
                type="button"
                disabled={busy}
                onClick={() =>
                  void run(
                    async () => setSaved(await getWorker().deleteSavedModel(s.name)),
                    `Deleting ${s.name}`,
                  )
                }
              >
                Delete {s.name}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
