import { describe, expect, it } from 'vitest';
import { toRgba } from './components/ImageCanvas';
import { readBackendOverride } from './backendOverride';
import { usePlayground } from './store';
import { latestOnly } from './workerClient';
import { describeError } from './errors';

describe('toRgba', () => {
  it('maps [-1, 1] to [0, 255] and replicates grey over RGB', () => {
    const out = toRgba(new Float32Array([-1, 0, 1, 2]), 2, 2, 1, [-1, 1]);
    expect(Array.from(out)).toEqual([
      0, 0, 0, 255, 128, 128, 128, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    ]);
  });
  it('keeps colour channels apart', () => {
    const out = toRgba(new Float32Array([-1, 0, 1]), 1, 1, 3, [-1, 1]);
    expect(Array.from(out)).toEqual([0, 128, 255, 255]);
  });
});

describe('readBackendOverride', () => {
  it('accepts known backends and ignores anything else', () => {
    expect(readBackendOverride('?backend=wasm')).toBe('wasm');
    expect(readBackendOverride('?backend=webgpu&x=1')).toBe('webgpu');
    expect(readBackendOverride('?backend=evil()')).toBeUndefined();
    expect(readBackendOverride('')).toBeUndefined();
  });
});

describe('store', () => {
  it('clamps t into [0, T-1] and keeps its fraction when T changes', () => {
    const s = usePlayground.getState();
    s.setT(1000);
    s.setTimestep(5000);
    expect(usePlayground.getState().t).toBe(999);
    s.setTimestep(-3);
    expect(usePlayground.getState().t).toBe(0);
    s.setTimestep(500);
    s.setT(101);
    expect(usePlayground.getState().T).toBe(101);
    expect(usePlayground.getState().t).toBe(50);
    s.setT(Number.NaN);
    expect(usePlayground.getState().T).toBe(2);
    expect(usePlayground.getState().t).toBeLessThanOrEqual(1);
  });
});

describe('latestOnly', () => {
  it('runs the first request and then only the newest of those queued meanwhile', async () => {
    const ran: number[] = [];
    const results: number[] = [];
    let release: () => void = () => {};
    const task = (n: number) =>
      new Promise<number>((resolve) => {
        ran.push(n);
        release = () => resolve(n * 10);
      });
    const send = latestOnly(
      task,
      (r) => results.push(r),
      () => {},
    );
    send(1);
    send(2);
    send(3);
    expect(ran).toEqual([1]);
    release();
    await new Promise((r) => setTimeout(r, 0));
    expect(ran).toEqual([1, 3]);
    release();
    await new Promise((r) => setTimeout(r, 0));
    expect(results).toEqual([10, 30]);
  });
  it('reports errors and keeps going', async () => {
    const errors: unknown[] = [];
    const send = latestOnly(
      (n: number) => (n < 0 ? Promise.reject(new Error('bad')) : Promise.resolve(n)),
      () => {},
      (e) => errors.push(e),
    );
    send(-1);
    await new Promise((r) => setTimeout(r, 0));
    expect(describeError(errors[0])).toBe('bad');
  });
});
