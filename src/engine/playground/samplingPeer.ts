// Both sides of the sampling peer (splitEps.ts): a second worker holding a copy of the weights a
// run samples with, computing part of each step's ε. The compute worker uploads the weights at
// the start of each run (a lease's parameters, read back as arrays: 1.5 MB for mnist-cfg) and
// uses the peer from the first step after the copy has arrived.
import * as tf from '@tensorflow/tfjs';
import type { UNetConfig } from '../../model';
import type { Params } from '../../model';
import {
  servePeerEps,
  type EpsPeer,
  type PeerEpsRequest,
  type PeerEpsResult,
} from '../sampling/splitEps';
import type { EpsModel } from '../sampling/eps';
import { runSlice, type SliceRunRequest, type SliceRunResult } from '../sampling/sliceRun';
import { leaseCopiedWeights, type WeightsLease } from './weights';
import {
  PartGradientHost,
  type GradientPeer,
  type PartGradientRequest,
  type PartGradientResult,
} from '../training/partGradient';

export interface PeerWeights {
  /** Which upload this is: requests name the weights they were made for. */
  id: number;
  config: UNetConfig;
  tensors: { name: string; shape: number[]; data: Float32Array }[];
}

/** What the peer worker offers (over Comlink). */
export interface SamplingPeerApi {
  loadWeights(w: PeerWeights): Promise<void>;
  predict(weightsId: number, req: PeerEpsRequest): Promise<PeerEpsResult>;
  /** `onStep` is called from the peer (over Comlink: a proxy) after each step. */
  runSteps(
    weightsId: number,
    req: SliceRunRequest,
    onStep: (index: number) => void,
  ): Promise<SliceRunResult>;
  /** Part of a training step's batch (partGradient.ts); the weights come with the request. */
  gradients(req: PartGradientRequest): Promise<PartGradientResult>;
}

/** The peer worker's state: one copy of weights at a time. */
export class SamplingPeerHost implements SamplingPeerApi {
  private held: { id: number; lease: WeightsLease } | null = null;
  private readonly training = new PartGradientHost();

  constructor(private readonly ready: () => Promise<unknown>) {}

  async loadWeights(w: PeerWeights): Promise<void> {
    await this.ready();
    const params: Params = new Map();
    for (const { name, shape, data } of w.tensors) {
      const t = tf.tensor(data, shape, 'float32');
      params.set(name, tf.variable(t, false));
      t.dispose();
    }
    this.held?.lease.release();
    this.held = { id: w.id, lease: leaseCopiedWeights({ config: w.config }, params) };
  }

  private model(weightsId: number): EpsModel {
    const held = this.held;
    if (held === null || held.id !== weightsId) {
      throw new Error(
        `the peer holds other weights (${held?.id ?? 'none'}, asked for ${weightsId})`,
      );
    }
    return held.lease.model;
  }

  async predict(weightsId: number, req: PeerEpsRequest): Promise<PeerEpsResult> {
    return servePeerEps(this.model(weightsId), req);
  }

  async runSteps(
    weightsId: number,
    req: SliceRunRequest,
    onStep: (index: number) => void,
  ): Promise<SliceRunResult> {
    return runSlice(this.model(weightsId), req, onStep);
  }

  async gradients(req: PartGradientRequest): Promise<PartGradientResult> {
    await this.ready();
    return this.training.gradients(req);
  }

  /** Frees the copies (tests; a worker is simply closed). */
  dispose(): void {
    this.held?.lease.release();
    this.held = null;
    this.training.dispose();
  }
}

/** The compute worker's end: uploads a run's weights and hands the session an EpsPeer. */
export class SamplingPeerLink {
  private nextId = 1;
  private loadedId = 0;
  private failed: string | null = null;
  /** The slowest answer so far (ms), for the time a request may take. */
  private slowestMs = 0;
  /** Why training steps stopped being shared with this worker, if a part failed. */
  private gradientFailed: string | null = null;
  private slowestGradientMs = 0;

  /**
   * `minTimeoutMs`: a request unanswered after max(this, 10 × the slowest answer so far) counts
   * as failed — a worker that crashed (out of memory, say) never answers, and the run must not
   * wait for it forever.
   */
  constructor(
    private readonly remote: SamplingPeerApi,
    private readonly minTimeoutMs = 5000,
  ) {}

  /**
   * `call`'s answer, or a failure once the worker has been silent for max(minTimeoutMs, 10 ×
   * the slowest step so far): silence is measured from the request and from each step the
   * worker reports (`call` gets the function to report them with). A single-step request's
   * answer is its step.
   */
  private watch<T>(id: number, call: (stepDone: () => void) => Promise<T>): Promise<T> {
    const limit = Math.max(this.minTimeoutMs, 10 * this.slowestMs);
    let last = performance.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let fail: (err: Error) => void = () => undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(
        () => fail(new Error(`the sampling worker did not answer within ${Math.round(limit)} ms`)),
        limit,
      );
    };
    const timeout = new Promise<never>((_, reject) => {
      fail = reject;
    });
    const stepDone = () => {
      const now = performance.now();
      this.slowestMs = Math.max(this.slowestMs, now - last);
      last = now;
      arm();
    };
    arm();
    return Promise.race([call(stepDone), timeout]).then(
      (r) => {
        clearTimeout(timer);
        this.slowestMs = Math.max(this.slowestMs, performance.now() - last);
        return r;
      },
      (err: unknown) => {
        clearTimeout(timer);
        // A request for weights replaced since (a newer run uploaded its own) fails its run's
        // split only; anything else means the worker is broken.
        if (id === this.nextId - 1) this.failed = err instanceof Error ? err.message : String(err);
        throw err;
      },
    );
  }

  private ask(id: number, req: PeerEpsRequest): Promise<PeerEpsResult> {
    return this.watch(id, () => this.remote.predict(id, req));
  }

  private askRun(
    id: number,
    req: SliceRunRequest,
    onStep: (index: number) => void,
  ): Promise<SliceRunResult> {
    return this.watch(id, (stepDone) =>
      this.remote.runSteps(id, req, (index) => {
        // The last step's report is followed by the readback: its answer ends the watch.
        if (index < req.start + req.steps - 1) stepDone();
        onStep(index);
      }),
    );
  }

  /**
   * A GradientPeer on this worker, or null once it failed (for training or for sampling). A part
   * unanswered after max(minGradientMs, 10 × the slowest part so far) counts as failed.
   */
  gradientPeer(minGradientMs = 60_000): GradientPeer | null {
    if (this.failed !== null || this.gradientFailed !== null) return null;
    return {
      gradients: (req) => {
        const limit = Math.max(minGradientMs, 10 * this.slowestGradientMs);
        const start = performance.now();
        let timer: ReturnType<typeof setTimeout> | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`the worker did not answer within ${Math.round(limit)} ms`)),
            limit,
          );
        });
        return Promise.race([this.remote.gradients(req), timeout]).then(
          (r) => {
            clearTimeout(timer);
            this.slowestGradientMs = Math.max(this.slowestGradientMs, performance.now() - start);
            return r;
          },
          (err: unknown) => {
            clearTimeout(timer);
            this.gradientFailed = err instanceof Error ? err.message : String(err);
            throw err;
          },
        );
      },
    };
  }

  /** Why training steps are no longer shared with this worker; null while they are. */
  get gradientFailure(): string | null {
    return this.gradientFailed;
  }

  /** Why the peer stopped being used, if it failed; null while it works. */
  get failure(): string | null {
    return this.failed;
  }

  /**
   * An EpsPeer for the lease's weights: the upload starts now (read synchronously from the
   * lease, so releasing it later is safe) and the peer is ready once it has arrived. null for a
   * lease without plain U-Net weights, or once the peer has failed.
   */
  forLease(lease: WeightsLease): EpsPeer | null {
    if (!lease.weights || this.failed !== null) return null;
    const id = this.nextId++;
    const { config, params } = lease.weights;
    const entries = [...params];
    const shapes = entries.map(([, v]) => v.shape);
    const reads = entries.map(([, v]) => v.data());
    const upload = Promise.all(reads).then((arrays) => {
      const tensors = entries.map(([name], i) => ({
        name,
        shape: shapes[i],
        data: arrays[i] as Float32Array,
      }));
      return this.remote.loadWeights({ id, config, tensors });
    });
    upload.then(
      () => {
        this.loadedId = Math.max(this.loadedId, id);
      },
      (err: unknown) => {
        this.failed = err instanceof Error ? err.message : String(err);
      },
    );
    return {
      ready: () => this.loadedId === id && this.failed === null,
      // A peer that failed once is not asked again (the session reruns the step without it).
      predict: (req) => this.ask(id, req),
      runSteps: (req, onStep) => this.askRun(id, req, onStep),
    };
  }
}
