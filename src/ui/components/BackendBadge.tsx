// Shows which tfjs backend the worker runs on, how it was chosen (measured, remembered or forced)
// and lets a teacher override it. Changing it reloads the page with `?backend=`.
import { usePlayground } from '../store';
import type { BackendInfo, BackendName } from '../../worker/api';
import { forget } from '../backendMemory';
import { withBackendOverride } from '../backendOverride';

const LABEL: Record<BackendName, string> = {
  webgpu: 'WebGPU',
  webgl: 'WebGL',
  wasm: 'WebAssembly (CPU)',
  cpu: 'plain JavaScript (CPU)',
};

/** One short line for the header: what runs, and the main reason when it is not a GPU. */
export function backendNote(info: BackendInfo): string | null {
  if (info.backend === 'webgpu') {
    return info.adapter?.software
      ? 'WebGPU here is a software adapter on the CPU: very slow (choose WebAssembly)'
      : null;
  }
  if (info.backend === 'wasm') {
    const why = info.adapter?.software
      ? 'WebGPU here is a software adapter, so the CPU path is faster'
      : 'no GPU backend: training is slow';
    // One thread where several were possible is worth saying: the fix is the server's headers.
    return info.wasmThreadsNote ? `${why}; ${info.wasmThreadsNote}` : why;
  }
  if (info.backend === 'cpu') return 'no GPU backend: training is slow';
  return null;
}

/** The badge's words: the backend, and for wasm its thread count ("wasm · 2 threads"). */
export function backendLabel(info: BackendInfo): string {
  if (info.backend !== 'wasm' || info.wasmThreads === undefined) return info.backend;
  const threads = `wasm · ${info.wasmThreads} thread${info.wasmThreads === 1 ? '' : 's'}`;
  const peers = info.samplingPeers ?? 0;
  return peers > 0 ? `${threads} + ${peers} sampling worker${peers === 1 ? '' : 's'}` : threads;
}

/** The badge's tooltip: how the backend was chosen and how its threads are laid out. */
export function backendDetails(info: BackendInfo): string {
  const lines = [`Chosen: ${LABEL[info.backend]} — ${info.reason}.`];
  if (info.adapter) {
    const a = info.adapter;
    lines.push(
      `WebGPU adapter: ${[a.vendor, a.architecture, a.device, a.description].filter(Boolean).join(' ') || 'unnamed'}${a.software ? ' (software)' : ''}.`,
    );
  }
  if (info.wasmThreads !== undefined) {
    lines.push(
      `WebAssembly threads: ${info.wasmThreads}${info.wasmThreadsNote ? ` (${info.wasmThreadsNote})` : ''}${info.wasmLayoutNote ? ` (${info.wasmLayoutNote})` : ''}.`,
    );
  }
  if (info.samplingPeers) {
    lines.push(
      `Sampling workers: ${info.samplingPeers} more worker${info.samplingPeers === 1 ? '' : 's'}, one core each, compute parts of every sampling batch, so all of a sampling pass uses the cores (WebAssembly threads speed up only its convolutions). The images are the same. They also compute parts of every training batch: each returns its part's gradient, and the compute worker adds them up and takes the Adam step.`,
    );
  }
  if (info.fallbackReason) lines.push(`Not used: ${info.fallbackReason}.`);
  return lines.join('\n');
}

function choose(value: string): void {
  const name = value === 'auto' ? undefined : (value as BackendName);
  if (name === undefined) forget(); // measure again
  window.location.assign(withBackendOverride(window.location.href, name));
}

export function BackendBadge() {
  const backend = usePlayground((s) => s.backend);
  if (!backend) {
    return (
      <span className="badge" data-testid="backend" data-backend="">
        starting compute…
      </span>
    );
  }
  const note = backendNote(backend);
  const forced = backend.how === 'forced';
  return (
    <span className="badge-group">
      <label className="badge backend-select" title={backendDetails(backend)}>
        <span className="visually-hidden">Backend</span>
        <span
          data-testid="backend"
          data-backend={backend.backend}
          data-how={backend.how}
          data-threads={backend.wasmThreads ?? ''}
          data-peers={backend.samplingPeers ?? 0}
        >
          {backendLabel(backend)}
        </span>
        <select
          aria-label="Backend"
          value={forced ? backend.backend : 'auto'}
          onChange={(e) => choose(e.target.value)}
        >
          <option value="auto">
            auto{forced ? '' : ` (${backend.how === 'remembered' ? 'remembered' : 'measured'})`}
          </option>
          {(['webgpu', 'webgl', 'wasm', 'cpu'] as const).map((n) => (
            <option key={n} value={n}>
              {n}
              {measured(backend, n)}
            </option>
          ))}
        </select>
      </label>
      {note && (
        <span className="notice" role="status" title={backendDetails(backend)}>
          {note}
        </span>
      )}
    </span>
  );
}

function measured(info: BackendInfo, name: BackendName): string {
  const m = info.measurements.find((x) => x.backend === name);
  return m ? ` · ${Math.round(m.ms)} ms` : '';
}
