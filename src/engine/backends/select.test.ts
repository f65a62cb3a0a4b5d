// Backend selection in Node: no WebGPU, no WebGL, so the chain must land on wasm and say why.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { nodeWasmDir } from './nodeWasm';
import { initBackend } from './select';

describe('initBackend', () => {
  it('falls back to wasm in Node, explaining webgpu and webgl', async () => {
    const choice = await initBackend(undefined, { wasmPaths: nodeWasmDir() });
    expect(choice.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(choice.fallbackReason).toMatch(/^webgpu: .+; webgl: .+$/);
    expect(tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT')).toBe(false);
    expect(tf.getKernel(tf.Conv2DBackpropFilter, 'wasm')).toBeDefined();
    // Node has no wasm threads: one, and the reason for the badge.
    expect(choice.wasmThreads).toBe(1);
    expect(choice.wasmThreadsNote).toMatch(/no threads in Node/);
  });

  it('takes the preferred backend first, without a fallback reason', async () => {
    expect(await initBackend('cpu')).toEqual({ backend: 'cpu' });
    expect(tf.getBackend()).toBe('cpu');
    expect(await initBackend('wasm')).toMatchObject({ backend: 'wasm', wasmThreads: 1 });
    expect((await initBackend('wasm')).fallbackReason).toBeUndefined();
  });

  it('reports why the preferred backend failed', async () => {
    const choice = await initBackend('webgpu');
    expect(choice.backend).toBe('wasm');
    expect(choice.fallbackReason).toContain('webgpu: navigator.gpu is absent');
  });

  it('serialises overlapping calls, so neither sees the other abandon its initialisation', async () => {
    // React StrictMode calls init twice at once in development; tfjs drops a pending backend
    // initialisation when another starts, which made the first call fall back to another backend.
    const opts = { wasmPaths: nodeWasmDir() };
    await initBackend('cpu');
    // Start from an uninitialised wasm backend, so both calls really wait for its start.
    const factory = tf.findBackendFactory('wasm');
    if (!factory) throw new Error('wasm backend not registered');
    tf.removeBackend('wasm');
    tf.registerBackend('wasm', factory, 2);
    const [a, b] = await Promise.all([initBackend('wasm', opts), initBackend('wasm', opts)]);
    expect(a).toMatchObject({ backend: 'wasm' });
    expect(b).toMatchObject({ backend: 'wasm' });
    expect([a.fallbackReason, b.fallbackReason]).toEqual([undefined, undefined]);
    expect(tf.getBackend()).toBe('wasm');
  });
});
