// Start actions (training, sampling, evaluation, model loads) are idempotent while their first
// call is in flight: a double-click, or two tabs of code asking at once, joins the call already
// running instead of starting a second one (two training loops that Pause could only half stop).
// The worker enforces it, whatever the page's buttons do.

export interface Flight<T> {
  value: T;
  /** True for the call that started the work; false for calls that joined it. */
  first: boolean;
}

export class SingleFlight {
  private readonly inFlight = new Map<string, Promise<unknown>>();

  /** Runs `task` unless a call with the same key is in flight; then joins that call. */
  async run<T>(key: string, task: () => Promise<T>): Promise<Flight<T>> {
    const running = this.inFlight.get(key) as Promise<T> | undefined;
    if (running) return { value: await running, first: false };
    const p = (async () => task())();
    this.inFlight.set(key, p);
    try {
      return { value: await p, first: true };
    } finally {
      if (this.inFlight.get(key) === p) this.inFlight.delete(key);
    }
  }

  /** Whether a call with this key is in flight. */
  has(key: string): boolean {
    return this.inFlight.has(key);
  }
}
