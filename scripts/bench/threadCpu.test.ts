// threadCpu on a small synthetic trace: marks on the main thread, one compute worker, two
// sampling workers, V8's background compilers, a compositor and the browser process.
import { describe, expect, it } from 'vitest';
import { threadCpu, type TraceEvent } from './threadCpu';

const R = 10; // renderer pid
const task = (tid: number, ts: number, dur: number, tdur: number, src?: string): TraceEvent => ({
  name: tid === 90 ? 'ThreadPool_RunTask' : 'ThreadControllerImpl::RunTask',
  ph: 'X',
  pid: R,
  tid,
  ts,
  dur,
  tdur,
  ...(src ? { args: { src_file: src } } : {}),
});
const worker = (tid: number, url: string): TraceEvent => ({
  name: 'TracingSessionIdForWorker',
  ph: 'I',
  pid: R,
  tid: 1,
  ts: 0,
  args: { data: { url, workerThreadId: tid } },
});

const events: TraceEvent[] = [
  { name: 'playground:samplingStart', ph: 'R', pid: R, tid: 1, ts: 1_000_000 },
  { name: 'playground:samplingDone', ph: 'R', pid: R, tid: 1, ts: 3_000_000 },
  worker(20, 'http://127.0.0.1/assets/worker-abc.js'),
  worker(31, 'http://127.0.0.1/assets/peerWorker-def.js'),
  worker(30, 'http://127.0.0.1/assets/peerWorker-def.js'),
  // Main thread: 100 ms in the window, and a task before it that does not count.
  task(1, 500_000, 100_000, 100_000),
  task(1, 1_500_000, 100_000, 100_000),
  // Compute worker: a task half inside the window counts half its CPU time.
  task(20, 500_000, 1_000_000, 800_000),
  // Sampling workers: wall 1 s, CPU 0.9 s (descheduled for a while).
  task(30, 1_000_000, 1_000_000, 900_000),
  task(31, 1_200_000, 1_000_000, 700_000),
  // V8's background compilers and a GC task on the same pool thread.
  task(90, 1_100_000, 50_000, 50_000, 'v8/src/maglev/maglev-concurrent-dispatcher.cc'),
  task(
    90,
    1_200_000,
    30_000,
    30_000,
    'v8/src/compiler-dispatcher/optimizing-compile-dispatcher.cc',
  ),
  task(90, 1_300_000, 20_000, 20_000, 'v8/src/wasm/module-compiler.cc'),
  task(90, 1_400_000, 10_000, 10_000, 'v8/src/heap/scavenger.cc'),
  // The compositor, and the browser process.
  task(40, 2_000_000, 5_000, 5_000),
  { ...task(1, 2_000_000, 7_000, 7_000), pid: 99 },
  // Not a top-level task: nested inside one above, must not count twice.
  { name: 'FunctionCall', ph: 'X', pid: R, tid: 30, ts: 1_100_000, dur: 100_000, tdur: 100_000 },
];

describe('threadCpu', () => {
  it('sums each group of threads between the marks, in CPU time, prorated at the edges', () => {
    const cpu = threadCpu(events, 'playground:samplingStart', 'playground:samplingDone');
    expect(cpu.windowMs).toBe(2000);
    expect(cpu.mainThread).toBeCloseTo(100);
    expect(cpu.computeWorker).toBeCloseTo(400);
    expect(cpu.samplingWorkers).toEqual([900, 700]);
    expect(cpu.jsCompile).toBeCloseTo(80);
    expect(cpu.wasmCompile).toBeCloseTo(20);
    expect(cpu.otherRenderer).toBeCloseTo(15);
    expect(cpu.otherProcesses).toBeCloseTo(7);
  });

  it('says which mark is missing', () => {
    expect(() => threadCpu(events, 'playground:samplingStart', 'playground:nope')).toThrow(
      /no mark playground:nope/,
    );
  });
});
