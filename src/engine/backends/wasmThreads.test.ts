// The wasm thread plan: every core on a cross-origin isolated page (one beside a sampling worker
// on two), one (with the reason the badge shows) where SharedArrayBuffer is withheld or in Node.
import { describe, expect, it } from 'vitest';
import { MAX_WASM_THREADS, TWO_THREADS_NOTE, planWasmThreads } from './wasmThreads';

const browser = (crossOriginIsolated: boolean, hardwareConcurrency?: number) => ({
  crossOriginIsolated,
  hardwareConcurrency,
  isNode: false,
});

describe('planWasmThreads', () => {
  it('uses every core the browser reports on an isolated page, from three cores on', () => {
    expect(planWasmThreads(undefined, browser(true, 3))).toEqual({ threads: 3 });
    expect(planWasmThreads(undefined, browser(true, 6))).toEqual({ threads: 6 });
  });

  it('runs one thread beside a sampling worker where two threads are all there are', () => {
    expect(planWasmThreads(undefined, browser(true, 2))).toEqual({
      threads: 1,
      layoutNote: TWO_THREADS_NOTE,
    });
    expect(planWasmThreads(2, browser(true, 16))).toEqual({
      threads: 1,
      layoutNote: TWO_THREADS_NOTE,
    });
    expect(planWasmThreads(undefined, browser(true, 1))).toEqual({ threads: 1 });
  });

  it('caps the pool at the pthread workers the module starts with', () => {
    expect(planWasmThreads(undefined, browser(true, 32))).toEqual({ threads: MAX_WASM_THREADS });
    expect(planWasmThreads(64, browser(true, 2))).toEqual({ threads: MAX_WASM_THREADS });
  });

  it('takes an explicit count (a bench comparing 1 against N), whatever the cores', () => {
    expect(planWasmThreads(1, browser(true, 8))).toEqual({ threads: 1 });
    expect(planWasmThreads(3, browser(true, 2))).toEqual({ threads: 3 });
  });

  it('falls back to one thread, saying why, without cross-origin isolation', () => {
    const plan = planWasmThreads(4, browser(false, 8));
    expect(plan.threads).toBe(1);
    expect(plan.singleThreadReason).toMatch(/not cross-origin isolated.*COOP\/COEP/);
  });

  it('runs one thread in Node, where tfjs-backend-wasm has none', () => {
    const plan = planWasmThreads(undefined, { hardwareConcurrency: 8, isNode: true });
    expect(plan).toEqual({
      threads: 1,
      singleThreadReason: 'tfjs-backend-wasm has no threads in Node',
    });
  });

  it('reads this context as Node by default (the tests run there)', () => {
    expect(planWasmThreads().threads).toBe(1);
  });
});
