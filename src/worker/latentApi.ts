// The worker side of the "Latent diffusion" view: thin RPC methods over the engine's latent
// controller. Calls run one after another (a chain), so a model is never replaced while a
// trajectory is using it. Arrays going back to the UI are transferred, not copied.
import * as Comlink from 'comlink';
import {
  BROWSER_LATENT_TRAINING,
  trainLatentModel,
  type LatentTrainingEvent,
} from '../engine/latent/browserTraining';
import { LatentController } from '../engine/latent/controller';
import { fetchLatentFiles } from '../engine/latent/fetchStore';
import { createUNetFromCheckpoint, decodeCheckpoint } from '../engine/checkpoint';
import type { DatasetCache } from '../engine/datasetCache';
import { fetchPretrained } from '../engine/playground/pretrained';
import type { LatentApi } from './latentApiTypes';

export interface LatentApiDeps {
  datasets: () => DatasetCache;
  /** Resolves once the tfjs backend is chosen (a model built during the probe would be lost). */
  backendReady: () => Promise<unknown>;
  modelBaseUrl: () => string;
}

/** Each underlying buffer once (arrays may be views of one buffer; a repeat fails to clone). */
const buffers = (arrays: Float32Array[]) => [
  ...new Set(arrays.map((a) => a.buffer as ArrayBuffer)),
];

export function createLatentApi(deps: LatentApiDeps): LatentApi {
  const controller = new LatentController();
  let chain: Promise<unknown> = Promise.resolve();
  let stopRequested = false;
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const p = chain.then(async () => {
      await deps.backendReady();
      return fn();
    });
    chain = p.catch(() => undefined);
    return p;
  };
  const mnistTest = () => deps.datasets().get('mnist', 'test');
  return {
    latentLoadPretrained: () =>
      serial(async () =>
        controller.load(await fetchLatentFiles(deps.modelBaseUrl()), 'pretrained'),
      ),
    latentInfo: () => serial(async () => (controller.loaded ? controller.info() : null)),
    latentTrajectory: (req) =>
      serial(async () => {
        const r = await controller.trajectory(req);
        const arrays = [
          r.final,
          r.finalLatent,
          ...r.frames.flatMap((f) => [f.zt, f.z0, f.xt, f.x0]),
        ];
        return Comlink.transfer(r, buffers(arrays));
      }),
    latentWalk: (req) =>
      serial(async () => {
        const r = await controller.walk(await mnistTest(), req);
        return Comlink.transfer(r, buffers([r.latent, r.image, r.imageA, r.imageB]));
      }),
    latentReconstruct: (req) =>
      serial(async () => {
        const r = await controller.reconstruct(await mnistTest(), req);
        const arrays = [r.x, r.autoencoded, r.noisy, r.denoised, r.z0, r.zt, r.z0Hat];
        return Comlink.transfer(r, buffers(arrays));
      }),
    latentCost: (n) =>
      serial(async () => {
        const raw = await fetchPretrained(deps.modelBaseUrl(), 'mnist-cfg');
        const pixel = createUNetFromCheckpoint(await decodeCheckpoint(raw.modelJson, raw.weights));
        try {
          return await controller.cost(n, pixel);
        } finally {
          pixel.dispose();
        }
      }),
    latentTrain: (req, listener) =>
      serial(async () => {
        stopRequested = false;
        const cache = deps.datasets();
        const [train, test] = await Promise.all([
          cache.get('mnist', 'train'),
          cache.get('mnist', 'test'),
        ]);
        const model = await trainLatentModel(
          train,
          test,
          { ...BROWSER_LATENT_TRAINING, ...req },
          (e: LatentTrainingEvent) => void listener(e),
          () => stopRequested,
        );
        controller.replace(model, 'browser');
        return controller.info();
      }),
    latentStopTraining: async () => {
      stopRequested = true;
    },
  };
}
