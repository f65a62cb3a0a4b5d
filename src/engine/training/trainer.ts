// One optimisation step at a time of the DDPM objective (Ho et al. 2020, Alg. 1: sample x_0, t
// and ε, take a gradient step on ‖ε − ε_θ(x_t, t)‖²), with classifier-free label dropout
// (Ho & Salimans 2022), Adam + warm-up + clipping and an EMA of the weights.
//
// The per-step path never waits for the device: each step only enqueues work and keeps its
// per-example losses [B] and gradient norm as tensors. Every `reportEvery` steps (or on flush())
// they are read back with ONE data() call, together with a finiteness probe of the state; if
// anything is NaN/Inf the run rolls back to the snapshot taken at the previous report and throws
// a TrainingDivergedError. Between reports numTensors grows by 2 per step and drops back at the
// report, so compare tf.memory() at report points.
//
// With other workers to share it (setGradientPeers, partGradient.ts), a step cuts the batch into
// parts, sends each peer its part and the current weights, computes its own part meanwhile and
// applies the sum of the parts' gradients. Such a step reads the weights and ε back once (cheap
// on wasm, the only backend with peers); a peer that fails is dropped and the step reruns here.
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../../data/dataset';
import { lossWeights, type LossWeighting } from '../../diffusion/lossWeighting';
import type { Schedule } from '../../diffusion/schedule';
import type { Params } from '../../model/params';
import type { CondInputs, UNet } from '../../model/unet';
import { BatchSampler } from './batch';
import { DEFAULT_EMA_DECAY, Ema } from './ema';
import { bucketLosses, diffusionLoss } from './loss';
import { flatten } from './flat';
import {
  partLossGradient,
  partSizes,
  slicePart,
  type GradientPeer,
  type GradientPeers,
  type PartGradientResult,
} from './partGradient';
import { Adam, clipScale, warmupLearningRate } from './optimizer';
import { deriveSeed, STREAM } from '../../random/seeded';
import {
  applyState,
  DeviceSnapshot,
  readState,
  stateVariables,
  type Counters,
  type TrainState,
} from './state';

export interface TrainerOptions {
  batchSize: number;
  /** Peak learning rate (reached after the warm-up). */
  learningRate: number;
  /** Linear warm-up length in steps (DDPM: 5000 of 800k). Default 100. */
  warmupSteps?: number;
  /** Global gradient-norm clip (DDPM: 1.0); 0 or Infinity turns it off. Default 1. */
  gradClip?: number;
  /** EMA decay; see ema.ts. Default 0.999. */
  emaDecay?: number;
  /** Probability of replacing a label by the null class (Ho & Salimans 2022). Default 0.1. */
  pUncond?: number;
  /** Random horizontal flips. Default: true for cifar10, false for mnist (digits are chiral). */
  randomFlip?: boolean;
  /** How each t weighs in the loss (diffusion/lossWeighting.ts). Default uniform (Ho et al.). */
  lossWeighting?: LossWeighting;
  /** Seeds batch order, t, noise, label dropout, flips and dropout masks. Default 0. */
  seed?: number;
  /** Steps between readbacks (and NaN checks). Default 10. */
  reportEvery?: number;
}

export interface StepStats {
  /** Steps completed. */
  step: number;
  /** Mean loss over the steps since the previous report. */
  loss: number;
  /** The loss of each of those steps, oldest first. */
  stepLosses: number[];
  /** Mean per-example loss by t-bucket (bucket k covers t in [kT/10, (k+1)T/10)); null if empty. */
  lossByBucket: (number | null)[];
  bucketSums: number[];
  bucketCounts: number[];
  /** Mean global gradient norm before clipping over those steps. */
  gradNorm: number;
  /** Learning rate of the last step (after warm-up). */
  learningRate: number;
  imagesPerSecond: number;
  /** How the last step's batch was shared among workers (partGradient.ts). */
  split: StepSplit;
}

/** Images per worker of a step, in batch order; `here`: the first part was this worker's. */
export interface StepSplit {
  images: number[];
  here: boolean;
}

/**
 * The conditioning inputs of a conditioned model (a cascade's SR stage) for a batch of clean images
 * at a step; called inside the step's tidy, so its tensors are freed with the step's.
 */
export type Conditioner = (x0: tf.Tensor4D, step: number) => CondInputs;

/** Thrown when a loss, gradient or weight becomes NaN/Inf; the trainer was rolled back. */
export class TrainingDivergedError extends Error {
  override name = 'TrainingDivergedError';
  constructor(
    message: string,
    /** The first bad step (1-based, like StepStats.step). */
    readonly badStep: number,
    /** Steps completed in the restored state. */
    readonly restoredStep: number,
  ) {
    super(message);
  }
}

interface Pending {
  t: Int32Array;
  split: StepSplit;
  perExample: tf.Tensor1D;
  gradNorm: tf.Scalar;
  learningRate: number;
}

type Resolved = Required<TrainerOptions>;

function resolveOptions(ds: Dataset, o: TrainerOptions): Resolved {
  const r: Resolved = {
    batchSize: o.batchSize,
    learningRate: o.learningRate,
    warmupSteps: o.warmupSteps ?? 100,
    gradClip: o.gradClip ?? 1,
    emaDecay: o.emaDecay ?? DEFAULT_EMA_DECAY,
    pUncond: o.pUncond ?? 0.1,
    randomFlip: o.randomFlip ?? ds.name === 'cifar10',
    lossWeighting: o.lossWeighting ?? 'uniform',
    seed: o.seed ?? 0,
    reportEvery: o.reportEvery ?? 10,
  };
  checkLearningRate(r.learningRate);
  if (!Number.isInteger(r.reportEvery) || r.reportEvery < 1) {
    throw new RangeError(`reportEvery must be a positive integer (got ${r.reportEvery})`);
  }
  if (!Number.isInteger(r.warmupSteps) || r.warmupSteps < 0) {
    throw new RangeError(`warmupSteps must be an integer >= 0 (got ${r.warmupSteps})`);
  }
  if (!(r.gradClip >= 0)) throw new RangeError(`gradClip must be >= 0 (got ${r.gradClip})`);
  if (!Number.isSafeInteger(r.seed))
    throw new RangeError(`seed must be an integer (got ${r.seed})`);
  return r;
}

function checkLearningRate(lr: number): void {
  if (!(Number.isFinite(lr) && lr > 0)) {
    throw new RangeError(`learning rate must be a positive number (got ${lr})`);
  }
}

/** 0 when every element of every tensor is finite, NaN otherwise (x·0 is NaN iff x is not finite). */
function finiteProbe(tensors: readonly tf.Tensor[]): tf.Tensor1D {
  return tf.tidy(() => tf.addN(tensors.map((v) => tf.sum(tf.mul(v, 0)))).reshape([1]));
}

export class Trainer {
  readonly options: Readonly<Resolved>;
  private readonly sampler: BatchSampler;
  private readonly vars: tf.Variable[];
  private readonly adam: Adam;
  private readonly ema: Ema;
  private readonly state: Map<string, tf.Variable>;
  /** w_t per timestep index, or null when every t weighs 1. */
  private tWeights: Float64Array | null;
  private weighting: LossWeighting;
  private snapshot: DeviceSnapshot;
  private pending: Pending[] = [];
  private steps = 0;
  private lr: number;
  private windowStart = performance.now();
  private busy = false;
  private disposed = false;
  private gradientPeers: GradientPeers | null = null;
  private splitOfLast: StepSplit | null = null;

  constructor(
    readonly unet: UNet,
    readonly dataset: Dataset,
    readonly schedule: Schedule,
    options: TrainerOptions,
    /** Required exactly when the model has condChannels (a cascade's super-resolution stage). */
    private readonly conditioner: Conditioner | null = null,
  ) {
    const c = unet.config;
    if (dataset.height !== c.imageSize || dataset.width !== c.imageSize) {
      throw new Error(
        `the model takes ${c.imageSize}x${c.imageSize} images, the data set has ` +
          `${dataset.height}x${dataset.width}`,
      );
    }
    if (dataset.channels !== c.inChannels) {
      throw new Error(
        `the model takes ${c.inChannels} channels, the data set has ${dataset.channels}`,
      );
    }
    if ((c.condChannels ?? 0) > 0 !== (conditioner !== null)) {
      throw new Error(
        conditioner === null
          ? 'this model is conditioned on an image (condChannels): the trainer needs a conditioner'
          : 'a conditioner was given for a model without condChannels',
      );
    }
    this.options = resolveOptions(dataset, options);
    this.lr = this.options.learningRate;
    this.weighting = this.options.lossWeighting;
    this.tWeights = lossWeights(schedule, this.weighting);
    this.sampler = new BatchSampler(dataset, {
      batchSize: this.options.batchSize,
      T: schedule.T,
      numClasses: c.numClasses,
      pUncond: this.options.pUncond,
      randomFlip: this.options.randomFlip,
      seed: this.options.seed,
    });
    this.vars = unet.variables();
    this.adam = new Adam(this.vars);
    this.ema = new Ema(unet.params, this.options.emaDecay);
    this.state = stateVariables(unet.params, this.adam, this.ema);
    this.snapshot = DeviceSnapshot.capture(this.state, this.counters());
  }

  /** How the last step's batch was shared among workers; null before the first step. */
  get lastSplit(): StepSplit | null {
    return this.splitOfLast;
  }

  /** Steps completed. */
  get stepCount(): number {
    return this.steps;
  }

  /** The peak learning rate (warm-up scales it during the first warmupSteps steps). */
  get learningRate(): number {
    return this.lr;
  }

  /** Takes effect from the next step. */
  setLearningRate(lr: number): void {
    checkLearningRate(lr);
    this.lr = lr;
  }

  /** How each t weighs in the loss now (options.lossWeighting is the one it started with). */
  get lossWeighting(): LossWeighting {
    return this.weighting;
  }

  /**
   * Takes effect from the next step; the optimiser's moments and the EMA carry on, as when
   * `train --resume --loss-weight min-snr` switches a run over.
   */
  setLossWeighting(weighting: LossWeighting): void {
    this.tWeights = lossWeights(this.schedule, weighting);
    this.weighting = weighting;
  }

  /**
   * A copy of the EMA weights by name, for sampling (`new UNet(trainer.unet.config, params)`) or a
   * checkpoint. The copy is the caller's to dispose; it does not change as training goes on.
   */
  emaParams(): Params {
    if (this.disposed) throw new Error('the trainer was disposed');
    return this.ema.params();
  }

  /** Restarts the images/s clock (e.g. after a pause, so idle time does not count). */
  resetClock(): void {
    this.windowStart = performance.now();
  }

  /**
   * Other workers to share each step's batch with, from the next step on (null: none). Ignored
   * for a conditioned model (a cascade's stage), whose conditioning is drawn here.
   */
  setGradientPeers(peers: GradientPeers | null): void {
    this.gradientPeers = peers;
  }

  /**
   * Runs one step. Resolves to the stats at report points (every reportEvery steps), else to
   * null without touching the device's results. Rejects with TrainingDivergedError on NaN/Inf.
   */
  async step(): Promise<StepStats | null> {
    this.enter();
    try {
      if (!(await this.enqueueSplitStep())) this.enqueueStep();
      return this.steps % this.options.reportEvery === 0 ? await this.report() : null;
    } finally {
      this.busy = false;
    }
  }

  /** Reads back the steps since the last report now (null if there are none). */
  async flush(): Promise<StepStats | null> {
    this.enter();
    try {
      return await this.report();
    } finally {
      this.busy = false;
    }
  }

  /**
   * Host copy of the complete state (weights, Adam moments, EMA, counters), for --resume. Call
   * flush() first: the stats of unreported steps would otherwise be lost, so this refuses.
   */
  async exportState(): Promise<TrainState> {
    this.enter();
    try {
      if (this.pending.length > 0) throw new Error('flush() the trainer before exportState()');
      return await readState(this.state, this.counters());
    } finally {
      this.busy = false;
    }
  }

  /** Replaces the whole state by a saved one (same model); pending steps are discarded. */
  importState(state: TrainState): void {
    this.enter();
    try {
      this.discardPending();
      this.setCounters(applyState(this.state, state));
      this.snapshot.dispose();
      this.snapshot = DeviceSnapshot.capture(this.state, this.counters());
      this.resetClock();
    } finally {
      this.busy = false;
    }
  }

  /** Frees the optimiser state, EMA and snapshot (not the U-Net, which the caller owns). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.discardPending();
    this.snapshot.dispose();
    this.adam.dispose();
    this.ema.dispose();
  }

  private enter(): void {
    if (this.disposed) throw new Error('the trainer was disposed');
    if (this.busy) throw new Error('a training step is already running (await it first)');
    this.busy = true;
  }

  private counters(): Counters {
    return { step: this.steps, adamUpdates: this.adam.updates, emaUpdates: this.ema.updates };
  }

  private setCounters(c: Counters): void {
    this.steps = c.step;
    this.adam.updates = c.adamUpdates;
    this.ema.updates = c.emaUpdates;
  }

  private discardPending(): void {
    tf.dispose(this.pending.flatMap((p) => [p.perExample, p.gradNorm]));
    this.pending = [];
  }

  /** Alg. 1 of Ho et al. 2020 for one batch; device work only. */
  private enqueueStep(): void {
    const s = this.steps;
    const { seed, gradClip, warmupSteps } = this.options;
    const batch = this.sampler.batch(s);
    const learningRate = warmupLearningRate(this.lr, warmupSteps, s);
    const { perExample, gradNorm } = tf.tidy(() => {
      const x0 = tf.tensor4d(batch.x, batch.shape);
      const t = tf.tensor1d(batch.t, 'int32');
      const y = batch.labels ? tf.tensor1d(batch.labels, 'int32') : null;
      const tw = this.tWeights;
      const weights = tw ? tf.tensor1d(Float32Array.from(batch.t, (i) => tw[i])) : null;
      const noiseSeed = deriveSeed(seed, STREAM.noise, s);
      const noise = tf.randomNormal(batch.shape, 0, 1, 'float32', noiseSeed) as tf.Tensor4D;
      const cond = this.conditioner?.(x0, s);
      const apply = {
        training: true,
        dropoutSeed: deriveSeed(seed, STREAM.dropout, s),
        ...(cond ? { cond } : {}),
      };
      const kept: { perExample?: tf.Tensor1D } = {};
      const { grads } = tf.variableGrads(() => {
        const r = diffusionLoss(this.unet, this.schedule, { x0, t, y, noise, weights }, apply);
        // Kept out of variableGrads' tidy; freed after the report's readback.
        kept.perExample = tf.keep(r.perExample);
        return r.loss;
      }, this.vars);
      // A variable the loss does not reach gets no entry: treat its gradient as zero.
      const g = flatten(this.vars.map((v) => grads[v.name] ?? tf.zerosLike(v)));
      const { scale, norm } = clipScale(g, gradClip);
      this.adam.apply(g, learningRate, scale);
      this.ema.update();
      if (!kept.perExample) throw new Error('internal: the loss produced no per-example values');
      return { perExample: kept.perExample, gradNorm: norm };
    });
    this.finishStep({
      t: batch.t,
      split: { images: [batch.shape[0]], here: true },
      perExample,
      gradNorm,
      learningRate,
    });
  }

  /** Queues a step's results for the next report and counts the step. */
  private finishStep(p: Pending): void {
    this.splitOfLast = p.split;
    this.pending.push(p);
    this.steps += 1;
  }

  /**
   * The step of enqueueStep with its batch cut into parts computed by the peers (and here, if
   * this worker takes part): the same x_0, t, labels and ε, the gradient Σ_k (n_k/B) ∇L_k of the
   * parts' mean losses (partGradient.ts). Resolves to false, having changed nothing, when there
   * are not two workers to share with or a peer failed: the caller then takes the step here.
   */
  private async enqueueSplitStep(): Promise<boolean> {
    const source = this.gradientPeers;
    if (source === null || this.conditioner !== null) return false;
    const peers = source.peers();
    const local = source.localTakesPart();
    const s = this.steps;
    const { seed, gradClip, warmupSteps, batchSize } = this.options;
    const sizes = partSizes(batchSize, peers.length + (local ? 1 : 0));
    if (sizes.length < 2) return false;
    const batch = this.sampler.batch(s);
    const learningRate = warmupLearningRate(this.lr, warmupSteps, s);
    const noiseSeed = deriveSeed(seed, STREAM.noise, s);
    const noiseTensor = tf.randomNormal(batch.shape, 0, 1, 'float32', noiseSeed);
    const flatWeights = flatten(this.vars);
    let noise: Float32Array;
    let weights: Float32Array;
    try {
      [noise, weights] = await Promise.all([
        noiseTensor.data<'float32'>(),
        flatWeights.data<'float32'>(),
      ]);
    } finally {
      tf.dispose([noiseTensor, flatWeights]);
    }
    const tw = this.tWeights;
    const whole = {
      x0: batch.x,
      shape: batch.shape,
      t: batch.t,
      labels: batch.labels,
      noise,
      lossWeights: tw ? Float32Array.from(batch.t, (i) => tw[i]) : null,
    };
    // Part 0 keeps the single-worker step's dropout seed; the others derive theirs from it.
    const dropoutSeed = deriveSeed(seed, STREAM.dropout, s);
    const starts = sizes.map((_, k) => sizes.slice(0, k).reduce((a, b) => a + b, 0));
    const parts = sizes.map((n, k) =>
      slicePart(
        whole,
        starts[k],
        n,
        k === 0 ? dropoutSeed : deriveSeed(dropoutSeed, STREAM.dropout, k),
      ),
    );
    const common = {
      config: this.unet.config,
      names: [...this.unet.params.keys()],
      shapes: this.vars.map((v) => [...v.shape]),
      weights,
      schedule: {
        kind: this.schedule.kind,
        scaled: this.schedule.scaled,
        betas: this.schedule.betas,
      },
    };
    const remoteParts = local ? parts.slice(1) : parts;
    const asked: Promise<PartGradientResult>[] = remoteParts.map((part, i) =>
      (peers[i] as GradientPeer).gradients({ ...part, ...common }),
    );
    // Awaited below; a failure while this worker computes its own part is not unhandled.
    for (const a of asked) a.catch(() => undefined);
    const own = local ? partLossGradient(this.unet, this.vars, this.schedule, parts[0]) : null;
    let answers: PartGradientResult[];
    try {
      answers = await Promise.all(asked);
    } catch (err) {
      if (own) tf.dispose([own.grad, own.perExample]);
      // The failed peer leaves the source's list; this step runs here.
      console.warn(
        `a training step's part failed: ${err instanceof Error ? err.message : String(err)}`,
      );
      return false;
    }
    const remoteSizes = local ? sizes.slice(1) : sizes;
    const total = weights.length;
    if (answers.some((a, i) => a.grad.length !== total || a.perExample.length !== remoteSizes[i])) {
      if (own) tf.dispose([own.grad, own.perExample]);
      console.warn("a training step's part came back with the wrong sizes; the step runs here");
      return false;
    }
    if (this.disposed) {
      if (own) tf.dispose([own.grad, own.perExample]);
      throw new Error('the trainer was disposed during a step');
    }
    const { perExample, gradNorm } = tf.tidy(() => {
      const grads: tf.Tensor1D[] = [];
      const losses: tf.Tensor1D[] = [];
      if (own) {
        grads.push(tf.mul(own.grad, sizes[0] / batchSize));
        losses.push(own.perExample);
      }
      answers.forEach((a, i) => {
        grads.push(tf.mul(tf.tensor1d(a.grad), remoteSizes[i] / batchSize));
        losses.push(tf.tensor1d(a.perExample));
      });
      const g = tf.addN(grads);
      const { scale, norm } = clipScale(g, gradClip);
      this.adam.apply(g, learningRate, scale);
      this.ema.update();
      return { perExample: tf.concat(losses), gradNorm: norm };
    });
    if (own) tf.dispose([own.grad, own.perExample]);
    this.finishStep({
      t: batch.t,
      split: { images: sizes, here: local },
      perExample,
      gradNorm,
      learningRate,
    });
    return true;
  }

  /** The one readback: losses, gradient norms and the finiteness probe in one tensor. */
  private async report(): Promise<StepStats | null> {
    const pending = this.pending;
    if (pending.length === 0) return null;
    this.pending = [];
    const packed = tf.tidy(() =>
      tf.concat([
        ...pending.map((p) => p.perExample),
        tf.stack(pending.map((p) => p.gradNorm)) as tf.Tensor1D,
        // The EMA takes in the weights of every step, so it stays non-finite once they were;
        // v catches an overflowing g² that would silently freeze a weight.
        finiteProbe([this.ema.flat, this.adam.v]),
      ]),
    );
    tf.dispose(pending.flatMap((p) => [p.perExample, p.gradNorm]));
    let values: Float32Array;
    try {
      values = await packed.data<'float32'>();
    } finally {
      packed.dispose();
    }
    const stats = this.summarise(pending, values);
    this.snapshot.dispose();
    this.snapshot = DeviceSnapshot.capture(this.state, this.counters());
    return stats;
  }

  private summarise(pending: Pending[], values: Float32Array): StepStats {
    const B = this.options.batchSize;
    const n = pending.length;
    const firstStep = this.steps - n + 1; // 1-based number of pending[0]
    const stepLosses: number[] = [];
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let b = 0; b < B; b++) sum += values[i * B + b];
      stepLosses.push(sum / B);
    }
    const gradNorms = Array.from(values.subarray(n * B, n * B + n));
    const probe = values[n * B + n];
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(stepLosses[i]))
        this.diverge(`loss became ${stepLosses[i]}`, firstStep + i);
      if (!Number.isFinite(gradNorms[i])) {
        this.diverge(`gradient norm became ${gradNorms[i]}`, firstStep + i);
      }
    }
    if (!Number.isFinite(probe)) this.diverge('weights became non-finite', this.steps);

    const T = this.schedule.T;
    const { sums, counts } = bucketLosses(
      values.subarray(0, n * B),
      concatInt32(pending.map((p) => p.t)),
      T,
    );
    const now = performance.now();
    const seconds = Math.max(1e-9, (now - this.windowStart) / 1000);
    this.windowStart = now;
    return {
      step: this.steps,
      loss: stepLosses.reduce((a, b) => a + b, 0) / n,
      stepLosses,
      lossByBucket: sums.map((s, k) => (counts[k] > 0 ? s / counts[k] : null)),
      bucketSums: sums,
      bucketCounts: counts,
      gradNorm: gradNorms.reduce((a, b) => a + b, 0) / n,
      learningRate: pending[n - 1].learningRate,
      imagesPerSecond: (n * B) / seconds,
      split: pending[n - 1].split,
    };
  }

  /** Rolls back to the last good snapshot and throws. */
  private diverge(what: string, badStep: number): never {
    this.snapshot.restore(this.state);
    this.setCounters(this.snapshot.counters);
    this.resetClock();
    const restored = this.snapshot.counters.step;
    throw new TrainingDivergedError(
      `${what} at step ${badStep}; training stopped, weights restored to step ${restored}`,
      badStep,
      restored,
    );
  }
}

function concatInt32(parts: Int32Array[]): Int32Array {
  const out = new Int32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
