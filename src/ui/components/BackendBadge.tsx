// Shows which tfjs backend the worker runs on, and warns when it is not the GPU.
import { usePlayground } from '../store';

const SPEED_NOTE: Record<string, string> = {
  webgl: 'WebGPU is not available; running on WebGL, which is slower.',
  wasm: 'No GPU backend is available; running on the CPU (WebAssembly). Training will be slow.',
  cpu: 'No GPU or WebAssembly backend; running on plain JavaScript. Everything will be very slow.',
};

export function BackendBadge() {
  const backend = usePlayground((s) => s.backend);
  if (!backend) {
    return (
      <span className="badge" data-testid="backend" data-backend="">
        starting compute…
      </span>
    );
  }
  const note = SPEED_NOTE[backend.backend];
  return (
    <span className="badge-group">
      <span
        className="badge"
        data-testid="backend"
        data-backend={backend.backend}
        title={backend.fallbackReason ? `Not used: ${backend.fallbackReason}` : undefined}
      >
        backend: {backend.backend}
      </span>
      {note && (
        <span className="notice" role="status" title={backend.fallbackReason}>
          {note}
        </span>
      )}
    </span>
  );
}
