// Milestones from page load to the first sampled grid, in ms since navigation start
// (performance.now()). Each is kept the first time only and exposed as
// window.__playground.timings, for the e2e test and for anyone measuring in the console.
export type Milestone =
  'boot' | 'backendReady' | 'modelLoaded' | 'samplingStart' | 'samplingDone' | 'firstGridPainted';

export type Timings = Partial<Record<Milestone, number>>;

const timings: Timings = {};

if (typeof window !== 'undefined') {
  const w = window as unknown as { __playground?: Record<string, unknown> };
  w.__playground = { ...w.__playground, timings };
}

/**
 * Records the milestone unless it was already recorded; returns the time kept. The first time it
 * is also a User Timing mark, `playground:<milestone>`, which DevTools' Performance panel and a
 * Chromium trace show among the threads (scripts/bench/threadCpu.ts).
 */
export function mark(m: Milestone, now = performance.now()): number {
  if (timings[m] === undefined) {
    timings[m] = Math.round(now);
    performance.mark(`playground:${m}`, { startTime: now });
  }
  return timings[m];
}

export function getTimings(): Readonly<Timings> {
  return timings;
}
