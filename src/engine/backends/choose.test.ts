import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import {
  chooseBackend,
  describeAdapter,
  describeMeasurements,
  deviceKeyOf,
  isSoftwareRenderer,
  runProbe,
} from './choose';
import { nodeWasmDir } from './nodeWasm';

describe('isSoftwareRenderer', () => {
  it('calls SwiftShader and llvmpipe WebGL renderers software, real GPUs and unknown not', () => {
    const chromium =
      'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)';
    expect(isSoftwareRenderer(chromium)).toBe(true);
    expect(isSoftwareRenderer('llvmpipe (LLVM 15.0.6, 256 bits)')).toBe(true);
    expect(isSoftwareRenderer('ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0)')).toBe(
      false,
    );
    expect(isSoftwareRenderer('Apple M2')).toBe(false);
    expect(isSoftwareRenderer(undefined)).toBe(false);
  });
});

describe('describeAdapter', () => {
  it('calls SwiftShader, llvmpipe and fallback adapters software', () => {
    expect(describeAdapter({ vendor: 'google', architecture: 'swiftshader' }).software).toBe(true);
    expect(
      describeAdapter({ vendor: 'mesa', device: 'llvmpipe (LLVM 15.0.6, 256 bits)' }).software,
    ).toBe(true);
    expect(
      describeAdapter({ vendor: 'nvidia', architecture: 'hopper', isFallbackAdapter: true })
        .software,
    ).toBe(true);
  });
  it('calls a real GPU hardware, and ignores non-string fields', () => {
    const a = describeAdapter({ vendor: 'nvidia', architecture: 'hopper', device: 42 });
    expect(a).toEqual({
      vendor: 'nvidia',
      architecture: 'hopper',
      device: '',
      description: '',
      software: false,
    });
  });
});

describe('deviceKeyOf', () => {
  it('differs by adapter and core count', () => {
    const gpu = describeAdapter({ vendor: 'nvidia', architecture: 'hopper' });
    expect(deviceKeyOf(gpu, 8)).not.toBe(deviceKeyOf(gpu, 16));
    expect(deviceKeyOf(gpu, 8)).not.toBe(deviceKeyOf(undefined, 8));
  });
});

describe('describeMeasurements', () => {
  it('puts the fastest first with ratios', () => {
    expect(
      describeMeasurements([
        { backend: 'wasm', ms: 10 },
        { backend: 'webgl', ms: 25 },
        { backend: 'cpu', ms: 900 },
      ]),
    ).toBe('wasm 10 ms, webgl 25 ms (2.5× slower), cpu 900 ms (90× slower)');
  });
});

describe('chooseBackend (Node: no navigator.gpu, no canvas)', () => {
  it('measures what starts, picks it, and leaks nothing', async () => {
    const d = await chooseBackend({ wasmPaths: nodeWasmDir(), probeRuns: 1 });
    expect(d.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(d.how).toBe('only');
    expect(d.measurements.map((m) => m.backend)).toEqual(['wasm']);
    expect(d.measurements[0].ms).toBeGreaterThan(0);
    expect(d.reason).toMatch(/webgpu: no WebGPU adapter/);
    const before = tf.memory().numTensors;
    await runProbe(1);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('uses a remembered decision for the same device without measuring', async () => {
    const key = deviceKeyOf(undefined, 1);
    const d = await chooseBackend({
      wasmPaths: nodeWasmDir(),
      remembered: { backend: 'cpu', deviceKey: key, measurements: [{ backend: 'cpu', ms: 5 }] },
    });
    expect(d.backend).toBe('cpu');
    expect(d.how).toBe('remembered');
    expect(d.measurements).toEqual([{ backend: 'cpu', ms: 5 }]);
  });

  it('ignores a decision remembered for another device, and honours a forced backend', async () => {
    const d = await chooseBackend({
      wasmPaths: nodeWasmDir(),
      probeRuns: 1,
      remembered: { backend: 'cpu', deviceKey: 'another', measurements: [] },
    });
    expect(d.how).toBe('only');
    expect(d.backend).toBe('wasm');
    const f = await chooseBackend({ wasmPaths: nodeWasmDir(), forced: 'cpu' });
    expect(f).toMatchObject({ backend: 'cpu', how: 'forced' });
  });
});
