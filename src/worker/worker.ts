// The compute worker: every tensor operation of the app runs here, never on the main thread.
// The UI reaches it through Comlink (typed RPC); images travel back as transferable buffers.
import * as Comlink from 'comlink';
import * as tf from '@tensorflow/tfjs';
import { chooseBackend } from '../engine/backends/choose';
import { DatasetCache } from '../engine/datasetCache';
import { ForwardNoiser, type SourceImage } from '../engine/forwardNoising';
import { toSourceImage } from '../engine/customImage';
import { toFloatImage } from '../data/dataset';
import { fetchSource } from '../data/source';
import { wasmPaths } from './wasmPaths';
import { initFromName } from './bootName';
import { createEngineApi } from './engineApi';
import { createScore2dApi } from './score2dApi';
import { createLatentApi } from './latentApi';
import { createCascadeApi } from './cascadeApi';
import { runUNetParity } from '../engine/parity';
import { runClassifierGradientParity } from '../engine/classifierGuideParity';
import { benchPreset, parseBenchPreset } from '../engine/bench/trainStep';
import { TrainingPeers } from '../engine/playground/trainingPeers';
import type {
  BackendInfo,
  DatasetInfo,
  DatasetName,
  ImageSource,
  ImageTensor,
  PlaygroundWorkerApi,
} from './api';

let datasets: DatasetCache | null = null;
let initialised: { key: string; result: Promise<BackendInfo> } | null = null;
let modelBaseUrl: string | null = null;
/** The parity check in progress (settled when none). */
let parityRun: Promise<unknown> = Promise.resolve();
const noiser = new ForwardNoiser();
const customImages = new Map<DatasetName, SourceImage>();

function requireDatasets(): DatasetCache {
  if (!datasets) throw new Error('worker not initialised: call init() first');
  return datasets;
}

async function sourceImage(
  dataset: DatasetName,
  source: ImageSource,
): Promise<{ img: SourceImage; label: string | null }> {
  if (source.kind === 'custom') {
    const img = customImages.get(dataset);
    if (!img) throw new Error('no picture has been uploaded or drawn yet');
    return { img, label: null };
  }
  const ds = await requireDatasets().get(dataset, 'test');
  const { index } = source;
  if (!Number.isInteger(index) || index < 0 || index >= ds.count) {
    throw new RangeError(`image index must be an integer in [0, ${ds.count - 1}] (got ${index})`);
  }
  const img = {
    data: toFloatImage(ds, index),
    height: ds.height,
    width: ds.width,
    channels: ds.channels,
  };
  return { img, label: ds.classNames[ds.labels[index]] ?? String(ds.labels[index]) };
}

function transferImages<T>(value: T, images: ImageTensor[]): T {
  return Comlink.transfer(
    value,
    images.map((i) => i.data.buffer as ArrayBuffer),
  );
}

function backendReady() {
  if (!initialised) throw new Error('worker not initialised: call init() first');
  // After a parity check too: it switches the global backend for a while, and a model built
  // meanwhile would land on the cpu backend (and count as the check's leak).
  return Promise.all([initialised.result, parityRun]);
}

// The sampling peers, offered to training too: live runs and the bench share steps with them.
const trainingPeers = new TrainingPeers();

const engine = createEngineApi({
  trainingPeers,
  datasets: requireDatasets,
  backendReady,
  modelBaseUrl: () => {
    if (!modelBaseUrl) throw new Error('worker not initialised: call init() first');
    return modelBaseUrl;
  },
});

const api: PlaygroundWorkerApi = {
  ...engine,
  ...createScore2dApi(),
  ...createLatentApi({
    datasets: requireDatasets,
    backendReady,
    modelBaseUrl: () => {
      if (!modelBaseUrl) throw new Error('worker not initialised: call init() first');
      return modelBaseUrl;
    },
  }),
  ...createCascadeApi({
    datasets: requireDatasets,
    backendReady,
    modelBaseUrl: () => {
      if (!modelBaseUrl) throw new Error('worker not initialised: call init() first');
      return modelBaseUrl;
    },
  }),

  async parityCheck(opts) {
    if ((await engine.trainingState()).state === 'running') {
      throw new Error('pause the training first: the check switches backends for a moment');
    }
    const datasets = opts?.datasets?.filter((d) => d === 'mnist' || d === 'cifar10');
    const run = runUNetParity({
      backend: tf.getBackend(),
      ...(datasets && datasets.length > 0 ? { datasets } : {}),
    });
    parityRun = run.catch(() => undefined);
    const r = await run;
    return {
      backend: r.backend,
      outputRelErr: r.outputRelErr,
      gradRelErr: r.gradRelErr,
      worstParam: r.worstParam,
      tolerance: { ...r.tolerance },
      pass: r.pass,
      leakedTensors: r.leakedTensors,
      ms: r.ms,
    };
  },

  async classifierGradientParity() {
    if ((await engine.trainingState()).state === 'running') {
      throw new Error('pause the training first: the check switches backends for a moment');
    }
    const run = runClassifierGradientParity({ backend: tf.getBackend() });
    parityRun = run.catch(() => undefined);
    return { ...(await run) };
  },

  async benchTrainStep({ preset, batch, steps, warmup, profile }) {
    if ((await engine.trainingState()).state === 'running') {
      throw new Error('pause the training first: the bench would share the CPU or GPU with it');
    }
    const which = parseBenchPreset(preset);
    if (!which) throw new Error(`unknown preset ${JSON.stringify(preset)}: use dataset/preset`);
    const sizes = [batch, steps, warmup];
    if (!sizes.every((v) => Number.isInteger(v) && v >= 0) || batch < 1 || steps < 1) {
      throw new Error('batch and steps must be integers >= 1, warmup an integer >= 0');
    }
    await backendReady();
    return benchPreset(
      tf.getBackend(),
      which,
      { batch, steps, warmup, profile: profile === true },
      trainingPeers,
    );
  },

  async init({
    preferred,
    remembered,
    wasmThreads,
    dataBaseUrl,
    modelBaseUrl: models,
  }): Promise<BackendInfo> {
    // Set before the first await: a loadPretrained sent right after init finds it.
    modelBaseUrl = models ?? new URL('../models/', dataBaseUrl).href;
    // The page may call init more than once (React StrictMode in development): same answer.
    const key = `${preferred ?? ''} ${wasmThreads ?? ''} ${dataBaseUrl}`;
    if (!initialised || initialised.key !== key) {
      datasets ??= new DatasetCache(fetchSource(dataBaseUrl));
      initialised = {
        key,
        result: chooseBackend({ forced: preferred, remembered, wasmPaths, wasmThreads }),
      };
    }
    return initialised.result;
  },

  async datasetInfo(name: DatasetName): Promise<DatasetInfo> {
    const ds = await requireDatasets().get(name, 'test');
    return {
      name,
      split: 'test',
      count: ds.count,
      height: ds.height,
      width: ds.width,
      channels: ds.channels,
      classNames: [...ds.classNames],
    };
  },

  async noise(req) {
    const { img, label } = await sourceImage(req.dataset, req.source);
    const r = await noiser.noise(img, req.t, req.schedule, req.seed, req.mode);
    const x0 = { data: r.x0, shape: r.shape };
    const eps = { data: r.eps, shape: r.shape };
    const xt = { data: r.xt, shape: r.shape };
    return transferImages({ x0, eps, xt, label, t: req.t }, [x0, eps, xt]);
  },

  async filmstrip(req) {
    const { img } = await sourceImage(req.dataset, req.source);
    const r = await noiser.filmstrip(img, req.T, req.frames, req.seed, req.linearScaled);
    const linear = r.frames[0].map((data) => ({ data, shape: r.shape }));
    const cosine = r.frames[1].map((data) => ({ data, shape: r.shape }));
    return transferImages({ timesteps: r.timesteps, linear, cosine }, [...linear, ...cosine]);
  },

  async setCustomImage(dataset, picture) {
    const ds = await requireDatasets().get(dataset, 'test');
    const img = await toSourceImage(picture, {
      height: ds.height,
      width: ds.width,
      channels: ds.channels === 1 ? 1 : 3,
    });
    customImages.set(dataset, img);
    const preview = {
      data: new Float32Array(img.data),
      shape: [1, img.height, img.width, img.channels] as ImageTensor['shape'],
    };
    return transferImages(preview, [preview]);
  },

  async memory() {
    const m = tf.memory();
    return { numTensors: m.numTensors, numBytes: m.numBytes };
  },
};

Comlink.expose(api);

// The page's options came in this worker's name too: start the backend now, not when init's
// message arrives (bootName.ts); that init then gets this same answer.
const early = initFromName(self.name);
if (early) void api.init(early).catch(() => undefined);
