// The compute worker: every tensor operation of the app runs here, never on the main thread.
// The UI reaches it through Comlink (typed RPC); images travel back as transferable buffers.
import * as Comlink from 'comlink';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../engine/backends/select';
import { DatasetCache } from '../engine/datasetCache';
import { ForwardNoiser } from '../engine/forwardNoising';
import { fetchSource } from '../data/source';
import { wasmPaths } from './wasmPaths';
import type {
  BackendInfo,
  DatasetInfo,
  DatasetName,
  ImageTensor,
  NoiseRequest,
  NoiseResult,
  PlaygroundWorkerApi,
} from './api';

let datasets: DatasetCache | null = null;
const noiser = new ForwardNoiser();

function requireDatasets(): DatasetCache {
  if (!datasets) throw new Error('worker not initialised: call init() first');
  return datasets;
}

function image(data: Float32Array, shape: ImageTensor['shape']): ImageTensor {
  return { data, shape };
}

const api: PlaygroundWorkerApi = {
  async init({ preferred, dataBaseUrl }): Promise<BackendInfo> {
    datasets = new DatasetCache(fetchSource(dataBaseUrl));
    const info = await initBackend(preferred, { wasmPaths });
    return info as BackendInfo;
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

  async noise(req: NoiseRequest): Promise<NoiseResult> {
    const ds = await requireDatasets().get(req.dataset, 'test');
    const r = await noiser.noise(ds, req.index, req.t, req.schedule, req.seed);
    const result: NoiseResult = {
      x0: image(r.x0, r.shape),
      eps: image(r.eps, r.shape),
      xt: image(r.xt, r.shape),
      label: ds.classNames[r.label] ?? String(r.label),
      t: req.t,
    };
    return Comlink.transfer(result, [r.x0.buffer, r.eps.buffer, r.xt.buffer] as ArrayBuffer[]);
  },

  async memory() {
    const m = tf.memory();
    return { numTensors: m.numTensors, numBytes: m.numBytes };
  },
};

Comlink.expose(api);
