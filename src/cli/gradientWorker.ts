// A worker thread of `cli train --workers N`: Node's counterpart of the browser's sampling worker
// for training (src/worker/peerWorker.ts). It runs tfjs on its own single-threaded wasm backend
// and computes the gradient of its part of each step's batch (engine/training/partGradient.ts)
// for the main thread, over Comlink on the thread's parent port.
import { parentPort } from 'node:worker_threads';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { initBackend } from '../engine/backends/select';
import { nodeWasmDir } from '../engine/backends/nodeWasm';
import { PartGradientHost, type PartGradientRequest } from '../engine/training/partGradient';

if (parentPort === null) throw new Error('gradientWorker.ts runs as a worker thread');

const ready = initBackend('wasm', { wasmPaths: nodeWasmDir() }).then((choice) => {
  if (choice.backend !== 'wasm') {
    throw new Error(`the worker thread could not start wasm (${choice.fallbackReason ?? ''})`);
  }
});
const host = new PartGradientHost();

Comlink.expose(
  {
    async gradients(req: PartGradientRequest) {
      await ready;
      const r = await host.gradients(req);
      return Comlink.transfer(r, [
        r.grad.buffer as ArrayBuffer,
        r.perExample.buffer as ArrayBuffer,
      ]);
    },
  },
  nodeEndpoint(parentPort),
);
