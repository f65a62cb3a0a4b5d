import { describe, expect, it } from 'vitest';
import {
  CPU_SETTINGS,
  GPU_SETTINGS,
  measuredGflops,
  pickTrainingDefaults,
} from './trainingDefaults';

describe('training defaults by measured backend speed', () => {
  it('computes GFLOP/s from passes, FLOPs per pass and time', () => {
    // 1600 passes of 0.1 GFLOP in 4 s: 40 GFLOP/s.
    expect(measuredGflops(1600, 1e8, 4000)).toBeCloseTo(40, 10);
    expect(measuredGflops(1600, 1e8, 0)).toBeNull();
  });
  it('picks the tiny model on CPU backends and on a software GPU, the small one on a real GPU', () => {
    expect(pickTrainingDefaults('wasm', null).settings).toBe(CPU_SETTINGS);
    expect(pickTrainingDefaults('cpu', 500).settings).toBe(CPU_SETTINGS);
    // SwiftShader's WebGPU measured about 0.07 GFLOP/s (shared/FINDINGS.md).
    const swift = pickTrainingDefaults('webgpu', 0.07);
    expect(swift.settings).toBe(CPU_SETTINGS);
    expect(swift.reason).toBe('webgpu is emulated on the CPU, measured 0.070 GFLOP/s');
    expect(pickTrainingDefaults('webgpu', 800).settings).toBe(GPU_SETTINGS);
    expect(pickTrainingDefaults('webgl', null).settings).toBe(GPU_SETTINGS);
    // A software WebGPU adapter (SwiftShader) is a CPU even before anything is measured.
    expect(pickTrainingDefaults('webgpu', null, true).settings).toBe(CPU_SETTINGS);
  });
  it('keeps the CPU demo short: tiny model, previews every 20 steps', () => {
    expect(CPU_SETTINGS.preset).toBe('tiny');
    expect(CPU_SETTINGS.previewEvery).toBeLessThanOrEqual(20);
  });
});
