// A training run for the worker / UI: start, pause, resume, single steps and learning-rate changes
// while it runs. The loop awaits a macrotask between steps (yield.ts), so RPC calls interleave
// with training; progress is reported at the trainer's report points (one readback each).
import * as tf from '@tensorflow/tfjs';
import { BucketAverages, Smoother } from './smoothing';
import type { StepSplit, StepStats, Trainer } from './trainer';
import { macrotask } from '../yield';

export type SessionState = 'idle' | 'running' | 'paused' | 'finished' | 'failed' | 'disposed';

export interface TrainingProgress {
  /** Steps completed. */
  step: number;
  targetSteps: number;
  /** Raw loss: the mean of the steps since the previous progress report. */
  loss: number;
  /** Loss of each of those steps, oldest first. */
  stepLosses: number[];
  /** Bias-corrected EMA of the per-step loss, β = 0.98 (~50 steps; see smoothing.ts). */
  smoothedLoss: number;
  /** Running average per t-bucket (10 buckets over [0, T)), null before a bucket's first example. */
  lossByBucket: (number | null)[];
  imagesPerSecond: number;
  /** Learning rate of the last step (after warm-up). */
  learningRate: number;
  /** Mean gradient norm before clipping. */
  gradNorm: number;
  /** How the last step's batch was shared among workers (one part: computed here alone). */
  split: StepSplit;
  memory: { numTensors: number; numBytes: number };
}

export interface SessionOptions {
  /** The loop stops (state 'finished') when the trainer has completed this many steps. */
  targetSteps: number;
  onProgress?: (progress: TrainingProgress) => void;
  /** Every state change; `error` is set for 'failed'. */
  onStateChange?: (state: SessionState, error?: Error) => void;
  /** Awaited between steps; default: a macrotask (yield.ts). */
  yieldToEventLoop?: () => Promise<void>;
}

function checkTarget(n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`targetSteps must be an integer >= 0 (got ${n})`);
  }
}

export class TrainingSession {
  private current: SessionState = 'idle';
  private loop: Promise<void> | null = null;
  private stopRequested = false;
  private failure: Error | null = null;
  private target: number;
  private latest: TrainingProgress | null = null;
  private readonly smoother = new Smoother();
  private readonly buckets = new BucketAverages();
  private readonly yieldFn: () => Promise<void>;

  /** The trainer stays the caller's (dispose it after the session). */
  constructor(
    readonly trainer: Trainer,
    private readonly opts: SessionOptions,
  ) {
    checkTarget(opts.targetSteps);
    this.target = opts.targetSteps;
    this.yieldFn = opts.yieldToEventLoop ?? macrotask;
  }

  get state(): SessionState {
    return this.current;
  }

  /** Why the run failed (state 'failed'), e.g. a TrainingDivergedError. */
  get error(): Error | null {
    return this.failure;
  }

  /** The last progress report, or null before the first. */
  get progress(): TrainingProgress | null {
    return this.latest;
  }

  get targetSteps(): number {
    return this.target;
  }

  /** Takes effect at the next step (a running loop continues or stops accordingly). */
  setTargetSteps(n: number): void {
    checkTarget(n);
    this.target = n;
  }

  /** Takes effect at the next step, also while running. */
  setLearningRate(lr: number): void {
    this.trainer.setLearningRate(lr);
  }

  /**
   * Starts (or resumes) the loop; also after 'failed' (e.g. once the learning rate was lowered).
   * Returns at once with a promise that resolves when the loop stops (paused, finished or failed:
   * it never rejects; see `state` and `error`).
   */
  start(): Promise<void> {
    this.assertAlive();
    if (this.loop) return this.loop;
    this.failure = null;
    if (this.trainer.stepCount >= this.target) {
      this.setState('finished');
      return Promise.resolve();
    }
    this.stopRequested = false;
    this.trainer.resetClock();
    this.setState('running');
    this.loop = this.run().finally(() => {
      this.loop = null;
    });
    return this.loop;
  }

  resume(): Promise<void> {
    return this.start();
  }

  /** Stops after the step in flight; resolves once stopped (with a final progress report). */
  async pause(): Promise<void> {
    if (!this.loop) return;
    this.stopRequested = true;
    await this.loop;
  }

  /** One step while not running, followed by a progress report. Throws on divergence. */
  async stepOnce(): Promise<TrainingProgress> {
    this.assertAlive();
    if (this.loop) throw new Error('pause the training before taking single steps');
    this.trainer.resetClock();
    try {
      // The step reports by itself when it lands on a report point; else flush.
      const stats = (await this.trainer.step()) ?? (await this.trainer.flush());
      if (stats) this.report(stats);
    } catch (e) {
      this.fail(e);
      throw e;
    }
    this.setState(this.trainer.stepCount >= this.target ? 'finished' : 'paused');
    if (!this.latest) throw new Error('internal: no progress after a step');
    return this.latest;
  }

  /** Stops the loop; the trainer is left to the caller. */
  async dispose(): Promise<void> {
    await this.pause();
    this.setState('disposed');
  }

  private async run(): Promise<void> {
    try {
      let first = true;
      while (!this.stopRequested && this.trainer.stepCount < this.target) {
        let stats = await this.trainer.step();
        // A run's first step is read back at once, not at the next multiple of reportEvery: the
        // page shows within one step that training has started (issue 12: within 5 s of Train).
        if (first && stats === null) stats = await this.trainer.flush();
        first = false;
        if (stats) this.report(stats);
        await this.yieldFn();
      }
      const stats = await this.trainer.flush();
      if (stats) this.report(stats);
      this.setState(this.trainer.stepCount >= this.target ? 'finished' : 'paused');
    } catch (e) {
      this.fail(e);
    }
  }

  private report(stats: StepStats): void {
    for (const l of stats.stepLosses) this.smoother.push(l);
    this.buckets.push(stats.bucketSums, stats.bucketCounts);
    const { numTensors, numBytes } = tf.memory();
    this.latest = {
      step: stats.step,
      targetSteps: this.target,
      loss: stats.loss,
      stepLosses: stats.stepLosses,
      smoothedLoss: this.smoother.value,
      lossByBucket: this.buckets.values,
      imagesPerSecond: stats.imagesPerSecond,
      learningRate: stats.learningRate,
      gradNorm: stats.gradNorm,
      split: stats.split,
      memory: { numTensors, numBytes },
    };
    this.opts.onProgress?.(this.latest);
  }

  private fail(e: unknown): void {
    this.failure = e instanceof Error ? e : new Error(String(e));
    this.setState('failed', this.failure);
  }

  private setState(state: SessionState, error?: Error): void {
    if (this.current === state) return;
    this.current = state;
    this.opts.onStateChange?.(state, error);
  }

  private assertAlive(): void {
    if (this.current === 'disposed') throw new Error('the training session was disposed');
  }
}
