import { describe, expect, it } from 'vitest';
import { toRgba } from './components/ImageCanvas';
import { readBackendOverride, readThreadsOverride, samplingPeerCount } from './backendOverride';
import { backendDetails, backendLabel, backendNote } from './components/BackendBadge';
import type { BackendInfo } from '../worker/api';
import { usePlayground } from './store';
import { latestOnly } from './workerClient';
import { describeError } from './errors';
import { describeSplit, describeSplitShort, describeTrainingSplit } from './samplingSplit';

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

describe('readThreadsOverride', () => {
  it('accepts 1 to 64 threads and ignores anything else', () => {
    expect(readThreadsOverride('?threads=1')).toBe(1);
    expect(readThreadsOverride('?backend=wasm&threads=16')).toBe(16);
    for (const bad of [
      '?threads=0',
      '?threads=65',
      '?threads=2.5',
      '?threads=-1',
      '?threads=x',
      '',
    ]) {
      expect(readThreadsOverride(bad)).toBeUndefined();
    }
  });
});

describe('describeSplit', () => {
  it('says how the last step shared its batch', () => {
    expect(describeSplit(undefined)).toBeNull();
    expect(describeSplit([])).toBeNull();
    expect(describeSplit([0, 8, 8])).toBe('8 + 8 images per step on 2 sampling workers');
    expect(describeSplit([7, 9])).toBe('7 images here + 9 on 1 sampling worker per step');
    expect(describeSplit([0, 1, 0])).toBe('1 image per step on 1 sampling worker');
  });
  it('says it in a few words for the step line', () => {
    expect(describeSplitShort(undefined)).toBeNull();
    expect(describeSplitShort([16])).toBeNull();
    expect(describeSplitShort([0, 8, 8])).toBe('8 + 8 on 2 workers');
    expect(describeSplitShort([7, 9])).toBe('7 here + 9 on 1 worker');
    expect(describeSplitShort([0, 1, 0])).toBe('1 on 1 worker');
  });
  it("says the same of a training step, whose first part may be the compute worker's", () => {
    expect(describeTrainingSplit(undefined)).toBeNull();
    expect(describeTrainingSplit({ images: [32], here: true })).toBeNull();
    expect(describeTrainingSplit({ images: [16, 16], here: false })).toBe(
      '16 + 16 images per step on 2 sampling workers',
    );
    expect(describeTrainingSplit({ images: [16, 16], here: true })).toBe(
      '16 images here + 16 on 1 sampling worker per step',
    );
  });
});

describe('samplingPeerCount', () => {
  const wasm = (wasmThreads: number) => ({ backend: 'wasm' as const, wasmThreads });
  it('starts one peer per core beside threads, one per other core beside one thread', () => {
    expect(samplingPeerCount(wasm(3), '', 3)).toBe(3);
    expect(samplingPeerCount(wasm(1), '', 2)).toBe(1);
    expect(samplingPeerCount(wasm(8), '', 16)).toBe(4);
    expect(samplingPeerCount(wasm(1), '', 4)).toBe(3);
  });
  it('counts the threads ?threads=N asks for in all, not the cores', () => {
    // Two threads in all: one compute thread (wasmThreads.ts) beside one peer, on any machine.
    expect(samplingPeerCount(wasm(1), '?threads=2', 8)).toBe(1);
    expect(samplingPeerCount(wasm(4), '?backend=wasm&threads=4', 2)).toBe(4);
    expect(samplingPeerCount(wasm(1), '?threads=3', 8)).toBe(2);
    // Ignored when malformed: every core then.
    expect(samplingPeerCount(wasm(1), '?threads=0', 4)).toBe(3);
  });
  it('starts none off wasm, on one core, for ?threads=1 or ?peer=0', () => {
    expect(samplingPeerCount({ backend: 'webgpu' }, '', 8)).toBe(0);
    expect(samplingPeerCount(wasm(1), '', 1)).toBe(0);
    expect(samplingPeerCount(wasm(1), '', undefined)).toBe(0);
    expect(samplingPeerCount(wasm(1), '?threads=1', 8)).toBe(0);
    expect(samplingPeerCount(wasm(4), '?backend=wasm&peer=0', 8)).toBe(0);
  });
});

describe('the backend badge', () => {
  const wasm = (extra: Partial<BackendInfo>): BackendInfo => ({
    backend: 'wasm',
    reason: 'fastest by measurement',
    how: 'measured',
    measurements: [],
    deviceKey: 'k',
    ...extra,
  });
  it('names the wasm thread count', () => {
    expect(backendLabel(wasm({ wasmThreads: 2 }))).toBe('wasm · 2 threads');
    expect(backendLabel(wasm({ wasmThreads: 1 }))).toBe('wasm · 1 thread');
    expect(backendLabel(wasm({ wasmThreads: 2, samplingPeers: 2 }))).toBe(
      'wasm · 2 threads + 2 sampling workers',
    );
    expect(backendLabel(wasm({ wasmThreads: 1, samplingPeers: 1 }))).toBe(
      'wasm · 1 thread + 1 sampling worker',
    );
    expect(backendLabel(wasm({}))).toBe('wasm');
    expect(backendLabel({ ...wasm({}), backend: 'webgpu' })).toBe('webgpu');
  });
  it('says why wasm runs one thread, beside why it is not WebGPU', () => {
    const software = {
      vendor: 'google',
      architecture: 'swiftshader',
      device: '',
      description: '',
      software: true,
    };
    const note = backendNote(
      wasm({
        adapter: software,
        wasmThreads: 1,
        wasmThreadsNote: 'the page is not cross-origin isolated',
      }),
    );
    expect(note).toBe(
      'WebGPU here is a software adapter, so the CPU path is faster; the page is not cross-origin isolated',
    );
    expect(backendNote(wasm({ adapter: software, wasmThreads: 2 }))).toBe(
      'WebGPU here is a software adapter, so the CPU path is faster',
    );
  });
  it('explains one thread beside a sampling worker in the details, not as a warning', () => {
    const info = wasm({ wasmThreads: 1, samplingPeers: 1, wasmLayoutNote: 'two cores: …' });
    expect(backendNote(info)).toBe('no GPU backend: training is slow');
    expect(backendDetails(info)).toContain('WebAssembly threads: 1 (two cores: …).');
    expect(backendDetails(info)).toContain('Sampling workers: 1 more worker');
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

describe('schedule chart series', () => {
  it('thins to about maxPoints, keeping both ends and the current t', async () => {
    const { thinnedIndices } = await import('./scheduleSeries');
    const idx = thinnedIndices(1000, 400, 333);
    expect(idx[0]).toBe(0);
    expect(idx[idx.length - 1]).toBe(999);
    expect(idx).toContain(333);
    expect(idx.length).toBeLessThanOrEqual(402);
    expect([...idx].sort((a, b) => a - b)).toEqual(idx);
    expect(thinnedIndices(5, 400, 2)).toEqual([0, 1, 2, 3, 4]);
  });
  it('takes exact schedule values at the kept points', async () => {
    const { chartPoints, SERIES } = await import('./scheduleSeries');
    const { makeSchedule } = await import('../diffusion/schedule');
    const lin = makeSchedule({ kind: 'linear', T: 1000 });
    const cos = makeSchedule({ kind: 'cosine', T: 1000 });
    const alphaBar = SERIES.find((s) => s.key === 'alphaBar')!;
    const [p] = chartPoints(alphaBar, lin, cos, [250]);
    expect(p.linear).toBe(lin.alphaBars[250]);
    expect(p.cosine).toBe(cos.alphaBars[250]);
    // Reference values (float64) from src/diffusion/test-utils/reference-values.json, rounded to 12 digits.
    expect(p.linear).toBeCloseTo(0.5214230306185275, 12);
    expect(p.cosine).toBeCloseTo(0.8458879864968832, 12);
  });
});

describe('histogram', () => {
  it('is a density: bins sum to 1 when multiplied by the bin width', async () => {
    const { histogram, normalPdf, meanAndStd } = await import('./histogram');
    const values = Float32Array.from({ length: 1000 }, (_, i) => (i / 1000) * 6 - 3);
    const bins = histogram(values, 40, -4, 4);
    const width = 8 / 40;
    expect(bins.reduce((a, b) => a + b.density * width, 0)).toBeCloseTo(1, 10);
    expect(bins[0].x).toBeCloseTo(-3.9, 10);
    expect(normalPdf(0)).toBeCloseTo(0.3989422804014327, 14);
    // Outliers land in the end bins instead of disappearing.
    const ends = histogram([-100, 100], 4, -1, 1);
    expect(ends[0].density).toBeGreaterThan(0);
    expect(ends[3].density).toBeGreaterThan(0);
    const { mean, std } = meanAndStd([1, 3]);
    expect(mean).toBe(2);
    expect(std).toBe(1);
  });
});
