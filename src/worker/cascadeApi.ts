// The worker side of the Cascade view: thin RPC methods over the engine's CascadeController.
// Image arrays going back to the UI are transferred, not copied.
import * as Comlink from 'comlink';
import type { DatasetCache } from '../engine/datasetCache';
import { CascadeController } from '../engine/playground/cascadeController';
import type { CascadeApi } from './cascadeApiTypes';

export interface CascadeEnv {
  datasets(): DatasetCache;
  backendReady(): Promise<unknown>;
  modelBaseUrl(): string;
}

export function createCascadeApi(env: CascadeEnv): CascadeApi {
  const controller = new CascadeController();
  let training = false;
  let stop = false;
  // One call at a time: a second Load / Sample / Train joins the first's result.
  let pending: Promise<unknown> | null = null;
  const exclusive = async <T>(task: () => Promise<T>): Promise<T> => {
    if (pending) throw new Error('the cascade is busy: wait for the current run to finish');
    const p = task();
    pending = p;
    try {
      return await p;
    } finally {
      pending = null;
    }
  };
  return {
    async cascadeLoadPretrained() {
      await env.backendReady();
      return exclusive(() => controller.loadPretrained(env.modelBaseUrl()));
    },
    async cascadeInfo() {
      return controller.info();
    },
    async cascadeSample(req) {
      await env.backendReady();
      const r = await exclusive(() => controller.sample(req));
      const buffers = [r.base.frames, r.upsampled, r.condAug, r.sr.frames, r.srNoAug?.frames]
        .filter((a): a is Float32Array => a !== undefined)
        .map((a) => a.buffer as ArrayBuffer);
      return Comlink.transfer(r, buffers);
    },
    async cascadeTrain(req, onProgress) {
      await env.backendReady();
      if (training) throw new Error('the cascade is already training');
      training = true;
      stop = false;
      try {
        const mnist = await env.datasets().get('mnist', 'train');
        return await exclusive(() =>
          controller.trainTiny(
            req,
            mnist,
            (p) => void onProgress(p),
            () => stop,
          ),
        );
      } finally {
        training = false;
      }
    },
    async cascadeStopTraining() {
      stop = true;
    },
  };
}
