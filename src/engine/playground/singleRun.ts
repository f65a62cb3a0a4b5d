// One cancellable run at a time: the bookkeeping the evaluation and likelihood controllers share
// (refuse a second start, abort with a reason, wait until the run has freed everything).
export class SingleRun {
  private abort: AbortController | null = null;
  private done: Promise<unknown> = Promise.resolve();

  get running(): boolean {
    return this.abort !== null;
  }

  /**
   * Runs `body` with an abort signal, or throws `busy` (after calling `refuse`) while another run
   * is in progress.
   */
  async start<R>(
    body: (signal: AbortSignal) => Promise<R>,
    busy: string,
    refuse: () => void = () => {},
  ): Promise<R> {
    if (this.abort) {
      refuse();
      throw new Error(busy);
    }
    const abort = new AbortController();
    this.abort = abort;
    const run = body(abort.signal);
    this.done = run.catch(() => undefined);
    try {
      return await run;
    } finally {
      this.abort = null;
    }
  }

  /** Aborts the run in progress with `reason` (no-op when none). */
  cancel(reason: Error): void {
    this.abort?.abort(reason);
  }

  /** Resolves once the last run has ended, however it ended. */
  settled(): Promise<unknown> {
    return this.done;
  }
}
