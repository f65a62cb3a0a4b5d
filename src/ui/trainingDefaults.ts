// Training defaults picked by the measured speed of the backend, so a live demo shows learning
// within a minute: on a CPU (wasm, plain JS, or WebGPU emulated in software such as SwiftShader)
// a tiny model on small batches, previews every few steps; on a real GPU the small model.
import type { BackendName } from '../worker/api';
import type { TrainingSettings } from './trainingStore';

/** A real GPU runs the U-Net at hundreds of GFLOP/s; wasm here does about 20, SwiftShader < 1. */
export const GPU_GFLOPS = 100;

/** On a GPU: the small model (about 1M parameters). */
export const GPU_SETTINGS: TrainingSettings = {
  preset: 'small',
  batchSize: 32,
  learningRate: 2e-4,
  lossWeighting: 'uniform',
  pUncond: 0.1,
  targetSteps: 2000,
  previewEvery: 100,
};

/**
 * On a CPU: the tiny model (0.05M parameters), batch 16 (about 0.2 s a step on one wasm thread),
 * a larger learning rate for the small net, and a preview every 20 steps (the first within
 * about 10 s of the first step on a quiet machine).
 */
export const CPU_SETTINGS: TrainingSettings = {
  preset: 'tiny',
  batchSize: 16,
  learningRate: 1e-3,
  lossWeighting: 'uniform',
  pUncond: 0.1,
  targetSteps: 600,
  previewEvery: 20,
};

/** GFLOP/s from a timed run of `passes` network evaluations of `flopsPerImage` each. */
export function measuredGflops(passes: number, flopsPerImage: number, ms: number): number | null {
  if (!(ms > 0) || !(passes > 0) || !(flopsPerImage > 0)) return null;
  return (passes * flopsPerImage) / (ms / 1000) / 1e9;
}

export interface PickedDefaults {
  settings: TrainingSettings;
  /** Why these, in words (shown under the controls). */
  reason: string;
}

/**
 * CPU backends always get the CPU defaults; a GPU backend gets the GPU ones unless its adapter
 * says it is software or a measured speed shows it is emulated (below GPU_GFLOPS).
 */
export function pickTrainingDefaults(
  backend: BackendName,
  gflops: number | null,
  softwareAdapter = false,
): PickedDefaults {
  const speed = gflops === null ? '' : `, measured ${gflops.toPrecision(2)} GFLOP/s`;
  if (backend === 'wasm' || backend === 'cpu') {
    return { settings: CPU_SETTINGS, reason: `${backend} runs on the CPU${speed}` };
  }
  if (softwareAdapter || (gflops !== null && gflops < GPU_GFLOPS)) {
    return { settings: CPU_SETTINGS, reason: `${backend} is emulated on the CPU${speed}` };
  }
  return { settings: GPU_SETTINGS, reason: `${backend} runs on a GPU${speed}` };
}
