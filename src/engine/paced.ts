// Progress reports at a rate a person can follow. Each report the page receives costs its main
// thread a React render, a layout and a paint of the whole view (~10 ms on a 2-core laptop in
// software raster); at 20–30 sampling steps a second those take a share of the very cores the
// sampling workers run on (issue 12). A bar moving eight times a second looks the same.

/** Reports to the page at most this often during a long run (ms). */
export const PROGRESS_INTERVAL_MS = 125;

/**
 * `report`, passed through at most once per `minMs`: the first call at once, later ones only when
 * `minMs` has passed since the last one passed, and always the calls `isFinal` says end the run.
 */
export function paced<T>(
  report: (value: T) => void,
  minMs: number,
  isFinal: (value: T) => boolean,
  now: () => number = () => performance.now(),
): (value: T) => void {
  let last = -Infinity;
  return (value) => {
    const t = now();
    if (t - last < minMs && !isFinal(value)) return;
    last = t;
    report(value);
  };
}
