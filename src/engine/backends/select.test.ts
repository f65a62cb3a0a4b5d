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
  });

  it('takes the preferred backend first, without a fallback reason', async () => {
    expect(await initBackend('cpu')).toEqual({ backend: 'cpu' });
    expect(tf.getBackend()).toBe('cpu');
    expect(await initBackend('wasm')).toEqual({ backend: 'wasm' });
  });

  it('reports why the preferred backend failed', async () => {
    const choice = await initBackend('webgpu');
    expect(choice.backend).toBe('wasm');
    expect(choice.fallbackReason).toContain('webgpu: navigator.gpu is absent');
  });
});
