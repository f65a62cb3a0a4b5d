// The sampling peer: a second worker, on the single-threaded wasm binary, that computes part of
// each sampling step's batch with a copy of the weights in use (engine/sampling/splitEps.ts). The
// page starts it where the compute worker runs wasm on a machine with more than one core, and
// hands both ends of a MessageChannel to the two workers; nothing else talks to it.
import * as Comlink from 'comlink';
import { initBackend } from '../engine/backends/select';
import { SamplingPeerHost } from '../engine/playground/samplingPeer';
import { wasmPaths } from './wasmPaths';

// Started before the port arrives: the binary compiles while the page wires the two workers.
const ready = initBackend('wasm', { wasmPaths, wasmSingleThreaded: true }).then((choice) => {
  if (choice.backend !== 'wasm')
    throw new Error(`the peer could not start wasm (${choice.backend})`);
});
ready.catch(() => undefined);

const host = new SamplingPeerHost(() => ready);

self.addEventListener('message', (e: MessageEvent<{ port?: MessagePort }>) => {
  const port = e.data.port;
  if (!(port instanceof MessagePort)) return;
  Comlink.expose(
    {
      loadWeights: host.loadWeights.bind(host),
      async predict(...args: Parameters<SamplingPeerHost['predict']>) {
        const r = await host.predict(...args);
        return Comlink.transfer(r, r.arrays.length ? [r.arrays[0].buffer as ArrayBuffer] : []);
      },
      async gradients(req: Parameters<SamplingPeerHost['gradients']>[0]) {
        const r = await host.gradients(req);
        return Comlink.transfer(r, [
          r.grad.buffer as ArrayBuffer,
          r.perExample.buffer as ArrayBuffer,
        ]);
      },
      async runSteps(
        weightsId: number,
        req: Parameters<SamplingPeerHost['runSteps']>[1],
        onStep: Comlink.Remote<(index: number) => void>,
      ) {
        try {
          // Reports are not awaited: the next step starts at once.
          const r = await host.runSteps(
            weightsId,
            req,
            (index) => void onStep(index).catch(() => undefined),
          );
          const buffers = new Set([r.x, ...r.last].map((a) => a.buffer as ArrayBuffer));
          return Comlink.transfer(r, [...buffers]);
        } finally {
          onStep[Comlink.releaseProxy]();
        }
      },
    },
    port,
  );
});
