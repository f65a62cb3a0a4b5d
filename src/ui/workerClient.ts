// The one place where the main thread meets the compute worker. Everything here is typed
// through the worker's API; no tfjs is imported on this side.
import * as Comlink from 'comlink';
import type { InitOptions, PlaygroundWorkerApi } from '../worker/api';
import { workerName } from '../worker/bootName';

let remote: Comlink.Remote<PlaygroundWorkerApi> | null = null;

/**
 * The compute worker, started on first use. `early`, given by the first call (boot), travels in
 * the worker's name so it starts its backend before init's message reaches it (bootName.ts).
 */
export function getWorker(early?: InitOptions): Comlink.Remote<PlaygroundWorkerApi> {
  if (!remote) {
    const worker = new Worker(new URL('../worker/worker.ts', import.meta.url), {
      type: 'module',
      name: workerName(early),
    });
    remote = Comlink.wrap<PlaygroundWorkerApi>(worker);
    // A handle for diagnostics in the browser console and for the e2e tests (e.g. parityCheck).
    const w = window as unknown as { __playground?: Record<string, unknown> };
    w.__playground = { ...w.__playground, worker: getWorker };
  }
  return remote;
}

/**
 * Starts the sampling peer (src/worker/peerWorker.ts) and connects it to the compute worker
 * through a MessageChannel of their own: the page only introduces them. Resolves to whether the
 * compute worker took it (it refuses unless it runs wasm); a refused peer is closed.
 */
export async function startSamplingPeer(): Promise<boolean> {
  const peer = new Worker(new URL('../worker/peerWorker.ts', import.meta.url), {
    type: 'module',
    name: 'diffusion-sampling-peer',
  });
  const channel = new MessageChannel();
  peer.postMessage({ port: channel.port2 }, [channel.port2]);
  let taken = false;
  try {
    taken = await getWorker().attachSamplingPeer(Comlink.transfer(channel.port1, [channel.port1]));
  } finally {
    if (!taken) peer.terminate();
  }
  return taken;
}

/**
 * Runs `task` for the latest request only: while one call is in flight, newer requests replace
 * each other and only the last one runs next. Keeps a fast-moving slider from queueing work.
 */
export function latestOnly<Req, Res>(
  task: (req: Req) => Promise<Res>,
  onResult: (res: Res, req: Req) => void,
  onError: (err: unknown, req: Req) => void,
): (req: Req) => void {
  let running = false;
  let pending: { req: Req } | null = null;
  const run = async (req: Req): Promise<void> => {
    running = true;
    try {
      onResult(await task(req), req);
    } catch (err) {
      onError(err, req);
    } finally {
      running = false;
      const next = pending;
      pending = null;
      if (next) void run(next.req);
    }
  };
  return (req: Req) => {
    if (running) pending = { req };
    else void run(req);
  };
}
