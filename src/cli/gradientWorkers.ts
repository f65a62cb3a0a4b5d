// `cli train --workers N`: N − 1 worker threads (gradientWorker.ts) beside the main thread, each
// computing part of every step's batch, as the browser's sampling workers do for the page
// (engine/training/partGradient.ts). Node's wasm backend has no threads, so this is how the CLI
// uses more than one core.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import type {
  GradientPeer,
  GradientPeers,
  PartGradientRequest,
  PartGradientResult,
} from '../engine/training/partGradient';

interface WorkerApi {
  gradients(req: PartGradientRequest): Promise<PartGradientResult>;
}

export interface GradientWorkers {
  peers: GradientPeers;
  /** Ends the threads. */
  close(): Promise<void>;
}

/**
 * The URL of tsx's ESM API (`register()`), resolved here through its package's exports: the
 * thread's script would resolve a bare name from the working directory, and `require.resolve`
 * picks the CommonJS build, which cannot load the ESM one from a worker thread.
 */
function tsxApi(): string {
  const pkgPath = createRequire(import.meta.url).resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as {
    exports?: Record<string, { import?: { default?: string } } | string>;
  };
  const api = pkg.exports?.['./esm/api'];
  const file = typeof api === 'object' ? api.import?.default : undefined;
  if (file === undefined) throw new Error("tsx's package has no ESM API (./esm/api)");
  return pathToFileURL(path.join(path.dirname(pkgPath), file)).href;
}

/**
 * A worker thread running gradientWorker.ts. The CLI's TypeScript runs through tsx (`npm run
 * cli`); a worker thread does not inherit its loader (and `--import tsx` in a worker's execArgv
 * is not applied on Node 20), so a small script registers tsx in the thread first.
 */
function spawn(): Worker {
  const entry = new URL('./gradientWorker.ts', import.meta.url).href;
  const boot =
    `import(${JSON.stringify(tsxApi())}).then(({ register }) => { register(); ` +
    `return import(${JSON.stringify(entry)}); })` +
    '.catch((e) => { setImmediate(() => { throw e; }); });';
  return new Worker(boot, { eval: true });
}

/**
 * Starts `count` worker threads. A thread that fails or exits rejects its requests and is left
 * out of later steps (the trainer reruns that step here).
 */
export function startGradientWorkers(count: number): GradientWorkers {
  const threads = Array.from({ length: count }, spawn);
  const failed = new Set<number>();
  let closing = false;
  const peers: GradientPeer[] = threads.map((thread, i) => {
    const remote = Comlink.wrap<WorkerApi>(nodeEndpoint(thread));
    // Comlink never answers a call whose thread died: this settles it instead.
    const dead = new Promise<never>((_, reject) => {
      thread.on('error', (err) => reject(err));
      thread.on('exit', (code) =>
        reject(new Error(`worker thread ${i + 1} exited (code ${code})`)),
      );
    });
    dead.catch(() => {
      if (!closing) failed.add(i);
    });
    return {
      gradients: (req) =>
        Promise.race([
          remote.gradients(
            Comlink.transfer(req, [req.x0.buffer as ArrayBuffer, req.noise.buffer as ArrayBuffer]),
          ),
          dead,
        ]).catch((err: unknown) => {
          failed.add(i);
          throw err;
        }),
    };
  });
  return {
    peers: {
      peers: () => peers.filter((_, i) => !failed.has(i)),
      localTakesPart: () => true,
    },
    close: async () => {
      closing = true;
      await Promise.all(threads.map((t) => t.terminate()));
    },
  };
}
