// Where a page's CPU time goes between two of its milestones, from a Chromium trace (the browser
// bench's --trace): each thread's CPU time (trace events' thread duration, `tdur`) in top-level
// tasks, grouped by what the thread does. On a 2-core machine this answers "why is two threads not
// twice as fast": everything here shares the same two cores.
//
// The milestones are User Timing marks the page sets (src/ui/timings.ts: `playground:<name>`).

/** The fields of a Chrome trace event this reads. */
export interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: {
    name?: string;
    src_file?: string;
    data?: { url?: string; workerThreadId?: number };
  };
}

/** CPU ms per group of threads in the window, and the window's length (ms). */
export interface ThreadCpu {
  windowMs: number;
  /** The page's main thread: React, style, layout, paint. */
  mainThread: number;
  /** The compute worker (src/worker/worker.ts), and its pthreads where it has a pool. */
  computeWorker: number;
  /** Each sampling worker (src/worker/peerWorker.ts), in thread order. */
  samplingWorkers: number[];
  /** V8 compiling JavaScript (Sparkplug, Maglev, TurboFan) on its background threads. */
  jsCompile: number;
  /** V8 compiling and tiering up WebAssembly on its background threads. */
  wasmCompile: number;
  /** The renderer's other threads: compositor, raster, GC helpers, IO. */
  otherRenderer: number;
  /** The browser and GPU processes. */
  otherProcesses: number;
}

const TOP_LEVEL = new Set(['ThreadControllerImpl::RunTask', 'ThreadPool_RunTask']);

/** The thread CPU time of `e` that falls in [from, to] (prorated by wall-time overlap). */
function cpuIn(e: TraceEvent, from: number, to: number): number {
  const dur = e.dur ?? 0;
  const cpu = e.tdur ?? dur;
  if (dur <= 0) return 0;
  const overlap = Math.min(e.ts + dur, to) - Math.max(e.ts, from);
  return overlap <= 0 ? 0 : (cpu * overlap) / dur / 1000;
}

function compileKind(srcFile: string | undefined): 'js' | 'wasm' | null {
  if (!srcFile) return null;
  if (srcFile.includes('v8/src/wasm/')) return 'wasm';
  if (/v8\/src\/(compiler-dispatcher|maglev|baseline|compiler)\//.test(srcFile)) return 'js';
  return null;
}

/**
 * The CPU each group of threads spent between the marks `fromMark` and `toMark` (their first
 * occurrences). Throws if a mark is missing.
 */
export function threadCpu(
  events: readonly TraceEvent[],
  fromMark: string,
  toMark: string,
): ThreadCpu {
  const at = (mark: string) => {
    const e = events.find((x) => x.name === mark);
    if (!e) throw new Error(`the trace has no mark ${mark}`);
    return e;
  };
  const start = at(fromMark);
  const from = start.ts;
  const to = at(toMark).ts;
  const key = (pid: number, tid: number) => `${pid}:${tid}`;
  const threadName = new Map<string, string>();
  const workerUrl = new Map<string, string>();
  for (const e of events) {
    if (e.ph === 'M' && e.name === 'thread_name' && e.args?.name) {
      threadName.set(key(e.pid, e.tid), e.args.name);
    }
    const w = e.args?.data;
    if (e.name === 'TracingSessionIdForWorker' && w?.url && w.workerThreadId !== undefined) {
      workerUrl.set(key(e.pid, w.workerThreadId), w.url);
    }
  }
  const renderer = start.pid;
  const out: ThreadCpu = {
    windowMs: (to - from) / 1000,
    mainThread: 0,
    computeWorker: 0,
    samplingWorkers: [],
    jsCompile: 0,
    wasmCompile: 0,
    otherRenderer: 0,
    otherProcesses: 0,
  };
  const samplers = new Map<string, number>();
  for (const e of events) {
    if (e.ph !== 'X' || !TOP_LEVEL.has(e.name)) continue;
    const ms = cpuIn(e, from, to);
    if (ms === 0) continue;
    if (e.pid !== renderer) {
      out.otherProcesses += ms;
      continue;
    }
    const k = key(e.pid, e.tid);
    const url = workerUrl.get(k) ?? '';
    const compile = compileKind(e.args?.src_file);
    if (k === key(start.pid, start.tid)) out.mainThread += ms;
    else if (/\/peerWorker[-.]/.test(url)) samplers.set(k, (samplers.get(k) ?? 0) + ms);
    // The compute worker, and the threaded binary's pthreads (blob: workers it starts).
    else if (/\/worker[-.]/.test(url) || url.startsWith('blob:')) out.computeWorker += ms;
    else if (compile === 'js') out.jsCompile += ms;
    else if (compile === 'wasm') out.wasmCompile += ms;
    else out.otherRenderer += ms;
  }
  out.samplingWorkers = [...samplers.keys()]
    .sort((a, b) => Number(a.split(':')[1]) - Number(b.split(':')[1]))
    .map((k) => samplers.get(k)!);
  return out;
}
