// The typed contract between the UI (main thread) and the compute worker.
// Only types live here, so the UI can import this file without pulling in tfjs.
import type { ScheduleKind } from '../diffusion/schedule';

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

export interface BackendInfo {
  backend: BackendName;
  /** Why faster backends were not used (e.g. "WebGPU: no adapter"); absent when the first choice worked. */
  fallbackReason?: string;
}

export type DatasetName = 'mnist' | 'cifar10';

export interface DatasetInfo {
  name: DatasetName;
  split: 'train' | 'test';
  count: number;
  height: number;
  width: number;
  channels: number;
  classNames: string[];
}

/** An image batch in NHWC layout; pixel values in model space ([-1, 1] for data). */
export interface ImageTensor {
  data: Float32Array;
  shape: [number, number, number, number];
}

export interface NoiseRequest {
  dataset: DatasetName;
  index: number;
  t: number;
  schedule: { kind: ScheduleKind; T: number; scaled?: boolean };
  seed: number;
}

export interface NoiseResult {
  x0: ImageTensor;
  eps: ImageTensor;
  xt: ImageTensor;
  label: string;
  t: number;
}

export interface PlaygroundWorkerApi {
  /** Picks and initialises a tfjs backend (webgpu → webgl → wasm → cpu unless `preferred` is given). */
  init(opts: { preferred?: BackendName; dataBaseUrl: string }): Promise<BackendInfo>;
  datasetInfo(name: DatasetName): Promise<DatasetInfo>;
  /** x_t = sqrt(alphaBar_t) x_0 + sqrt(1 - alphaBar_t) eps for one data-set image (Ho et al. 2020, eq. 4). */
  noise(req: NoiseRequest): Promise<NoiseResult>;
  memory(): Promise<{ numTensors: number; numBytes: number }>;
}
