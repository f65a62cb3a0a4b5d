// The model in use: what it is, and new / save / load / download / upload.
import { useEffect, useRef, useState } from 'react';
import type { SavedModelInfo } from '../../worker/api';
import { useTraining } from '../trainingStore';
import { usePlayground } from '../store';
import { getWorker } from '../workerClient';
import {
  createModel,
  downloadModel,
  loadSavedModel,
  reportErrors,
  uploadModel,
} from '../modelActions';

export function ModelPanel() {
  const model = useTraining((s) => s.model);
  const preset = useTraining((s) => s.settings.preset);
  const trainingState = useTraining((s) => s.state);
  const dataset = usePlayground((s) => s.dataset);
  const backend = usePlayground((s) => s.backend);
  const [saved, setSaved] = useState<SavedModelInfo[]>([]);
  const [name, setName] = useState('my-model');
  const [busy, setBusy] = useState(false);
  const upload = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (!backend) return;
    getWorker()
      .listSavedModels()
      .then(setSaved)
      .catch(() => setSaved([]));
  }, [backend]);

  const run = async (action: () => Promise<unknown>) => {
    setBusy(true);
    await reportErrors(action);
    setBusy(false);
  };
  const running = trainingState === 'running';

  return (
    <section className="panel model-panel" aria-label="Model">
      <h3>Model</h3>
      {model ? (
        <p data-testid="model-info">
          <strong>{model.label}</strong>: {model.dataset}, {(model.numParams / 1e6).toFixed(2)}M
          parameters, {(model.flopsPerImage / 1e9).toFixed(2)} GFLOP per image,{' '}
          {model.schedule.kind} schedule with T = {model.schedule.T},{' '}
          <span data-testid="model-steps">{model.trainingSteps}</span> training steps
          {model.ema ? ' (EMA weights)' : ''}.
        </p>
      ) : (
        <p className="muted" data-testid="model-info">
          No model yet: create one, or load a saved or downloaded one.
        </p>
      )}
      <div className="controls">
        <button
          type="button"
          disabled={busy || running || !backend}
          onClick={() => void run(() => createModel(dataset, preset))}
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
          onClick={() => void run(async () => setSaved(await getWorker().saveModel(name)))}
        >
          Save in browser
        </button>
        <button type="button" disabled={busy || !model} onClick={() => void run(downloadModel)}>
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
              if (files.length) void run(() => uploadModel(files));
            }}
          />
        </label>
      </div>
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
                onClick={() => void run(() => loadSavedModel(s.name))}
              >
                Load {s.name}
              </button>
              <button
                type="button"
                disabled={busy}
                onClick={() =>
                  void run(async () => setSaved(await getWorker().deleteSavedModel(s.name)))
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
