// Step-by-step reverse sampling of n images: DDPM (Ho et al. 2020, Alg. 2) or DDIM (Song et al.
// 2021, eq. 12), with classifier-free guidance (Ho & Salimans 2022) whose scale may change
// between steps. Between steps the session holds x_t plus the last step's outputs, nothing else.
import * as tf from '@tensorflow/tfjs';
import type { StepResult } from '../../diffusion/samplers';
import type { Schedule } from '../../diffusion/schedule';
import { guidanceTarget, readClassifierStep, type ClassifierGuide } from './classifierGuide';
import {
  predictEps,
  predictionTensors,
  usesGuidance,
  type EpsModel,
  type EpsPrediction,
} from './eps';
import {
  resolveOptions,
  validateGuidanceScale,
  type ResolvedOptions,
  type SamplingOptions,
} from './options';
import {
  isScorePlanStep,
  makePlan,
  reverseStep,
  stepNfe,
  type PlanStep,
  type SamplingPlan,
} from './plan';
import { readTogether } from './readback';
import { macrotask } from '../yield';
import { scoreStep } from './scoreStep';
import {
  predictEpsSplit,
  SplitShare,
  type EpsPeer,
  type PartOwner,
  type SplitPart,
} from './splitEps';
import { runStepsSplit } from './splitRun';
import { INITIAL_NOISE_STREAM, stepNoiseStream, streamNoise } from './seeds';

/**
 * The most steps the sampling workers take in one go (runDelegated), and the time such a run
 * should last: the workers meet once per run instead of every step, and cancel() or a new
 * guidance scale waits for the run under way. The first run of a session is 2 steps; later ones
 * as many as fit in DELEGATED_RUN_MS at the speed measured (at least 2).
 */
export const DELEGATED_STEPS = 10;
export const DELEGATED_RUN_MS = 500;

/** Stream of step k's second noise (the pc corrector's z): beyond every step's main stream. */
const correctorNoiseStream = (step: number): number => 2 ** 32 + step;

export type Shape4 = [number, number, number, number];

/** The last step that ran, read back. NHWC float32 arrays of n images each. */
export interface StepOutputs {
  /** 0-based index of the step in the sampler's plan. */
  index: number;
  /** Timestep fed to the model (an index into the training schedule). */
  t: number;
  /** The s in effect for this step. */
  guidanceScale: number;
  /** Whether guidance ran (both predictions); false when s = 1 or sampling is unconditional. */
  guided: boolean;
  /** The step's input x_t. */
  xt: Float32Array;
  /** The x̂_0 the update used: predicted from x_t and eps, clipped to [−1, 1] when clipX0. */
  x0Pred: Float32Array;
  /** The network's ε for the step: the guided ε̃ when `guided`, else the single prediction. */
  eps: Float32Array;
  /**
   * The ε the update used: eps, or with clipX0 the ε re-derived from the clipped x̂_0
   * (improved-diffusion's variant; see samplers.ts). Equal to eps where nothing was clipped.
   */
  epsUsed: Float32Array;
  /** Whether x̂_0 was clipped to [−1, 1] (the session's clipX0). */
  clipX0: boolean;
  /** Conditional prediction; null when only the unconditional pass ran. */
  epsCond: Float32Array | null;
  /** Unconditional (null-class) prediction; null when only the conditional pass ran (s = 1). */
  epsUncond: Float32Array | null;
  /** Classifier guidance of this step (classifierGuide.ts); null without a classifier. */
  classifier: ClassifierStepOutputs | null;
}

/** The noisy classifier at x_t: p_φ(· | x_t, t) [n·K] and g = ∇ₓ log p_φ(y | x_t, t) (NHWC). */
export interface ClassifierStepOutputs {
  scale: number;
  probs: Float32Array;
  grad: Float32Array;
}

export interface SamplingSnapshot {
  shape: Shape4;
  stepsDone: number;
  totalSteps: number;
  done: boolean;
  /** Network evaluations so far and in the whole plan (score samplers: up to 2 per step). */
  nfeDone: number;
  totalNfe: number;
  /** The current latent: x_T before the first step, the samples x_0 once done. */
  x: Float32Array;
  /** null before the first step. */
  step: StepOutputs | null;
}

/** One recorded step (recordTrajectory): copies on the CPU side, for scrubbing. */
export interface TrajectoryFrame {
  index: number;
  t: number;
  guidanceScale: number;
  xt: Float32Array;
  x0Pred: Float32Array;
}

export interface Trajectory {
  frames: readonly TrajectoryFrame[];
  /** The samples x_0, once the last step has run. */
  final: Float32Array | null;
}

export interface ProgressInfo {
  stepsDone: number;
  totalSteps: number;
  /** Model timestep of the step just finished. */
  t: number;
}

export interface AdvanceOptions {
  /** Awaited; it may call current(). */
  onProgress?: (p: ProgressInfo) => void | Promise<void>;
  /** Call onProgress every this many steps (and after the last step). Default 1. */
  progressEvery?: number;
}

export interface AdvanceResult {
  stepsRun: number;
  /** Stopped early by cancel() or dispose(). */
  cancelled: boolean;
  done: boolean;
}

interface LastStep {
  index: number;
  t: number;
  guidanceScale: number;
  guided: boolean;
  xt: tf.Tensor4D;
  x0Pred: tf.Tensor4D;
  epsUsed: tf.Tensor4D;
  pred: EpsPrediction;
  classifier: { scale: number; grad: tf.Tensor4D; probs: tf.Tensor2D } | null;
}

export class SamplingSession {
  readonly shape: Shape4;
  readonly options: Readonly<ResolvedOptions>;
  private readonly plan: SamplingPlan;
  private x: tf.Tensor4D;
  private last: LastStep | null = null;
  private scale: number;
  private running = false;
  private cancelRequested = false;
  private disposed = false;
  private readonly frames: TrajectoryFrame[] = [];
  private finalSample: Float32Array | null = null;
  private peers: EpsPeer[] = [];
  private computeHere = true;
  private readonly share = new SplitShare();
  private lastSplit: number[] = [];
  /** Wall time per step of the last run of steps the peers took (runDelegated). */
  private runStepMs: number | null = null;

  /** The session owns neither `model` nor `guide`: dispose them yourself after dispose(). */
  constructor(
    private readonly model: EpsModel,
    schedule: Schedule,
    options: SamplingOptions,
    /** Classifier guidance (Dhariwal & Nichol 2021) on top of the ε the model gives. */
    private readonly guide: ClassifierGuide | null = null,
  ) {
    const { imageSize, inChannels, numClasses } = model.config;
    this.options = resolveOptions(options, numClasses, schedule.T, model.config.learnSigma);
    if (guide && this.options.variance === 'learned' && this.options.sampler === 'ddpm') {
      // Alg. 1 shifts the mean by s·Σ·g; with a learned Σ_θ that Σ is per pixel and per step,
      // which the guide does not take (it shifts by the plan's scalar σ²).
      throw new RangeError(
        'classifier guidance with a learned Σ_θ is not supported: choose σ² = β or β̃',
      );
    }
    this.plan = makePlan(schedule, this.options);
    this.scale = this.options.guidanceScale;
    this.shape = [this.options.n, imageSize, imageSize, inChannels];
    // x_T ~ N(0, I) (Ho et al. 2020, Alg. 2 line 1).
    this.x = streamNoise(this.shape, this.options.seed, INITIAL_NOISE_STREAM);
  }

  get totalSteps(): number {
    return this.plan.steps.length;
  }

  /** The plan's step `index` (0-based, as StepOutputs.index). */
  planStep(index: number): PlanStep {
    const st = this.plan.steps[index];
    if (st === undefined) throw new RangeError(`no step ${index} in this plan`);
    return st;
  }

  /** Network evaluations of the whole run (each guided evaluation is one batched call). */
  get totalNfe(): number {
    return this.plan.steps.reduce((sum, st) => sum + stepNfe(st), 0);
  }

  get nfeDone(): number {
    return this.plan.steps.slice(0, this.stepsDone).reduce((sum, st) => sum + stepNfe(st), 0);
  }

  get stepsDone(): number {
    return this.last === null ? 0 : this.last.index + 1;
  }

  get done(): boolean {
    return this.stepsDone === this.totalSteps;
  }

  /** The model timestep of every step, in the order visited (ends at 0). */
  get timesteps(): number[] {
    return this.plan.steps.map((s) => s.modelT);
  }

  get guidanceScale(): number {
    return this.scale;
  }

  /**
   * Takes effect from the next step that starts; steps already run are unchanged. While peers
   * take a run of steps (runDelegated), from the step after that run.
   */
  setGuidanceScale(s: number): void {
    this.scale = validateGuidanceScale(s);
  }

  /**
   * Other workers that compute parts of each DDPM/DDIM step's batch (splitEps.ts), each from the
   * first step after it is ready; `computeHere` false leaves this worker none while a peer is
   * ready (a threaded worker beside single-threaded peers only slows them down). The images do
   * not change. Score samplers and classifier guidance always run here. A peer that fails is
   * dropped and the step rerun without it. advance(k) with k ≥ 2 hands the peers runs of up to
   * DELEGATED_STEPS steps (about DELEGATED_RUN_MS each), which their images run through without
   * waiting for each other (sliceRun.ts); onProgress is then told of the run's steps as they
   * finish but not awaited, and current() shows the state before the run until it ends.
   */
  setPeers(peers: readonly EpsPeer[], computeHere = true): void {
    this.peers = [...peers];
    this.computeHere = computeHere;
  }

  /** How many images each worker computed in the last step, this one first (empty: all here). */
  get splitCounts(): readonly number[] {
    return this.lastSplit;
  }

  /**
   * Stops a running advance()/run() before its next step (or after the peers' run of steps
   * under way); the state stays consistent.
   */
  cancel(): void {
    if (this.running) this.cancelRequested = true;
  }

  /**
   * Runs up to k steps (fewer at the end or when cancelled). Yields to the event loop between
   * steps so that cancel() and setGuidanceScale() sent as messages are seen in time.
   */
  async advance(k: number, opts: AdvanceOptions = {}): Promise<AdvanceResult> {
    this.assertUsable();
    if (this.running) throw new Error('this sampling session is already running');
    if (!Number.isInteger(k) || k < 0) throw new RangeError(`k must be an integer >= 0 (got ${k})`);
    const every = opts.progressEvery ?? 1;
    if (!Number.isInteger(every) || every < 1) {
      throw new RangeError(`progressEvery must be an integer >= 1 (got ${every})`);
    }
    this.running = true;
    this.cancelRequested = false;
    let stepsRun = 0;
    try {
      while (stepsRun < k && !this.done && !this.stopRequested()) {
        const run = this.delegableSteps(k - stepsRun);
        if (run >= 2) {
          const before = stepsRun;
          const ran = await this.runDelegated(run, (done) => {
            // The run's steps before its last, as every part finishes them (not awaited: the
            // parts do not wait; current() still shows the state before the run).
            if (opts.onProgress && done < run && (before + done) % every === 0) {
              const stepsDone = this.stepsDone + done;
              const t = this.plan.steps[stepsDone - 1].modelT;
              void Promise.resolve(
                opts.onProgress({ stepsDone, totalSteps: this.totalSteps, t }),
              ).catch(() => undefined);
            }
          });
          if (ran === null) break;
          stepsRun += ran;
          if (ran === 0) continue;
        } else {
          const last = await this.step();
          if (last === null) break;
          stepsRun++;
          if (this.options.recordTrajectory) await this.record(last);
        }
        const last = this.last!;
        if (this.stopRequested()) break;
        if (opts.onProgress && (stepsRun % every === 0 || this.done || stepsRun === k)) {
          const { stepsDone, totalSteps } = this;
          await opts.onProgress({ stepsDone, totalSteps, t: last.t });
        }
        if (stepsRun < k && !this.done) await macrotask();
      }
    } finally {
      this.running = false;
    }
    const cancelled = this.cancelRequested || this.disposed;
    this.cancelRequested = false;
    return { stepsRun, cancelled, done: !this.disposed && this.done };
  }

  /** Runs to the end (unless cancelled) and reads the result back. */
  async run(opts: AdvanceOptions = {}): Promise<SamplingSnapshot> {
    await this.advance(this.totalSteps - this.stepsDone, opts);
    return this.current();
  }

  /** Everything about the current state with ONE readback (see readTogether). */
  async current(): Promise<SamplingSnapshot> {
    this.assertUsable();
    const { shape, stepsDone, totalSteps, done, last, nfeDone, totalNfe } = this;
    if (last === null) {
      const [x] = await readTogether([this.x]);
      return { shape, stepsDone, totalSteps, nfeDone, totalNfe, done, x, step: null };
    }
    const { pred } = last;
    const distinct = predictionTensors(pred);
    const arrays = await readTogether([this.x, last.xt, last.x0Pred, last.epsUsed, ...distinct]);
    const cg = last.classifier ? await readClassifierStep(last.classifier) : null;
    const of = (t: tf.Tensor4D | null) => (t === null ? null : arrays[4 + distinct.indexOf(t)]);
    const step: StepOutputs = {
      index: last.index,
      t: last.t,
      guidanceScale: last.guidanceScale,
      guided: last.guided,
      xt: arrays[1],
      x0Pred: arrays[2],
      eps: arrays[4 + distinct.indexOf(pred.eps)],
      epsUsed: arrays[3],
      clipX0: this.options.clipX0,
      epsCond: of(pred.epsCond),
      epsUncond: of(pred.epsUncond),
      classifier: cg,
    };
    return { shape, stepsDone, totalSteps, nfeDone, totalNfe, done, x: arrays[0], step };
  }

  /** The recorded frames (empty unless recordTrajectory). */
  trajectory(): Trajectory {
    return { frames: this.frames, final: this.finalSample };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.x.dispose();
    this.disposeLast();
  }

  private stopRequested(): boolean {
    return this.cancelRequested || this.disposed;
  }

  private assertUsable(): void {
    if (this.disposed) throw new Error('this sampling session has been disposed');
  }

  /**
   * Who computes how many images of the next step: `owners` (this worker as null) and the parts
   * that got images, in batch order. Here alone without ready peers or with classifier guidance.
   */
  private split(): { owners: PartOwner[]; parts: SplitPart[] } {
    const { n } = this.options;
    const ready = this.guide === null ? this.peers.filter((p) => p.ready()) : [];
    const owners: PartOwner[] = this.computeHere || ready.length === 0 ? [null, ...ready] : ready;
    const counts = owners.length > 1 ? this.share.counts(owners, n) : [n];
    const parts = owners
      .map((owner, i) => ({ owner, count: counts[i] }))
      .filter((p) => p.count > 0);
    return { owners, parts };
  }

  /**
   * The model's ε for a DDPM/DDIM step: here, or split with the peers that are ready. Resolves to
   * null when the session was disposed while peers computed (the prediction is freed then).
   */
  private async predictPlain(
    modelT: number,
    withVariance: boolean,
    s: number,
  ): Promise<EpsPrediction | null> {
    const { classes } = this.options;
    const { owners, parts } = this.split();
    if (parts.length === 1 && parts[0].owner === null) {
      this.lastSplit = [];
      return predictEps(this.model, this.x, modelT, classes, s, withVariance);
    }
    let split;
    try {
      split = await predictEpsSplit(this.model, parts, this.x, modelT, classes, s, withVariance);
    } catch (err) {
      if (this.disposed) return null;
      // A peer is gone (e.g. its worker was closed): this run goes on without the peers.
      console.warn(`sampling peers dropped: ${err instanceof Error ? err.message : String(err)}`);
      this.peers = [];
      this.lastSplit = [];
      return predictEps(this.model, this.x, modelT, classes, s, withVariance);
    }
    if (this.disposed) {
      predictionTensors(split.pred).forEach((t) => t.dispose());
      return null;
    }
    this.share.update(split.measured);
    this.lastSplit = owners.map((o) => parts.find((p) => p.owner === o)?.count ?? 0);
    if (owners[0] !== null) this.lastSplit.unshift(0);
    return split.pred;
  }

  /**
   * How many of the next `remaining` steps the ready peers can take as one run of steps
   * (sliceRun.ts): DDPM/DDIM steps, without classifier guidance or a recorded trajectory, at most
   * DELEGATED_STEPS so that cancel() and a new guidance scale wait no longer than that. 0: none.
   */
  private delegableSteps(remaining: number): number {
    if (this.guide !== null || this.options.recordTrajectory) return 0;
    if (!this.split().parts.some((p) => p.owner !== null)) return 0;
    const start = this.stepsDone;
    const fit = this.runStepMs === null ? 2 : Math.floor(DELEGATED_RUN_MS / this.runStepMs);
    const limit = Math.min(remaining, DELEGATED_STEPS, Math.max(2, fit), this.totalSteps - start);
    let count = 0;
    while (count < limit && !isScorePlanStep(this.plan.steps[start + count])) count++;
    return count;
  }

  /**
   * `count` steps with the images split between the ready peers (and this worker when
   * computeHere), each part running all of them before the parts meet (sliceRun.ts); the same
   * images as step() `count` times. `onCommon(done)` hears when every part has done `done`
   * steps. Resolves to the steps run: 0 when a peer failed (the peers are dropped and nothing
   * changed), null when the session was disposed meanwhile.
   */
  private async runDelegated(
    count: number,
    onCommon: (done: number) => void,
  ): Promise<number | null> {
    const { classes, seed, clipX0 } = this.options;
    const { owners, parts } = this.split();
    const start = this.stepsDone;
    const s = this.scale;
    const began = performance.now();
    const doneBy = parts.map(() => 0);
    let common = 0;
    // Reports come on their own channels: one arriving after the run has ended is stale.
    let open = true;
    let run;
    try {
      run = await runStepsSplit(
        this.model,
        parts,
        this.x,
        { plan: this.plan, start, steps: count, guidanceScale: s, clipX0, seed },
        classes,
        (part, index) => {
          if (!open) return;
          doneBy[part] = index - start + 1;
          const least = Math.min(...doneBy);
          if (least > common) {
            common = least;
            onCommon(common);
          }
        },
      );
    } catch (err) {
      if (this.disposed) return null;
      // A peer is gone (e.g. its worker was closed): this run goes on without the peers.
      console.warn(`sampling peers dropped: ${err instanceof Error ? err.message : String(err)}`);
      this.peers = [];
      this.lastSplit = [];
      return 0;
    } finally {
      open = false;
    }
    const { last } = run;
    if (this.disposed) {
      tf.dispose([run.x, last.xt, last.x0Pred, last.epsUsed, ...predictionTensors(last.pred)]);
      return null;
    }
    this.share.update(run.measured);
    this.runStepMs = (performance.now() - began) / count;
    this.lastSplit = owners.map((o) => parts.find((p) => p.owner === o)?.count ?? 0);
    if (owners[0] !== null) this.lastSplit.unshift(0);
    this.disposeLast();
    const index = start + count - 1;
    this.last = {
      index,
      t: this.plan.steps[index].modelT,
      guidanceScale: s,
      guided: usesGuidance(this.model.config.numClasses, classes, s),
      ...last,
      classifier: null,
    };
    this.x.dispose();
    this.x = run.x;
    return count;
  }

  /**
   * One reverse step: afterwards x is x_{t−1} and `last` describes the step. Synchronous except
   * for peers' parts of ε; null when the session was disposed meanwhile.
   */
  private async step(): Promise<LastStep | null> {
    const index = this.stepsDone;
    const ps = this.plan.steps[index];
    const { classes, seed, clipX0 } = this.options;
    const s = this.scale;
    let pred: EpsPrediction;
    let result: StepResult<tf.Rank.R4>;
    type GuidedStep = ReturnType<ClassifierGuide['beforeStep']>;
    let cg: GuidedStep | null = null;
    if (isScorePlanStep(ps)) {
      // Score-based samplers (scoreStep.ts): one or two evaluations, noise drawn as needed.
      // Classifier guidance shifts every evaluation's ε (the ε form of Dhariwal & Nichol 2021,
      // Alg. 2, which holds for any ε-driven sampler); the first one's p and g are shown.
      const guide = this.guide;
      const alphaBars = this.plan.schedule.alphaBars;
      const held: { first: GuidedStep | null } = { first: null };
      const predict = (x: tf.Tensor4D, t: number): EpsPrediction => {
        const p = predictEps(this.model, x, t, classes, s);
        if (!guide) return p;
        let g: GuidedStep;
        try {
          g = guide.beforeStep(x, t, p.eps, { on: 'eps', alphaBar: alphaBars[t] });
        } catch (err) {
          predictionTensors(p).forEach((u) => u.dispose());
          throw err;
        }
        if (p.eps !== p.epsCond && p.eps !== p.epsUncond) p.eps.dispose();
        if (held.first === null) held.first = g;
        else tf.dispose([g.grad, g.probs]);
        // The guided ε takes the place of ε: disposed with the prediction.
        return { ...p, eps: g.eps };
      };
      try {
        ({ pred, result } = scoreStep(
          ps,
          this.x,
          predict,
          (k) =>
            streamNoise(
              this.shape,
              seed,
              k === 0 ? stepNoiseStream(index) : correctorNoiseStream(index),
            ),
          clipX0,
        ));
      } catch (err) {
        if (held.first) tf.dispose([held.first.grad, held.first.probs]);
        throw err;
      }
      cg = held.first;
    } else {
      const learned = this.plan.variance === 'learned' && ps.kind === 'ddpm';
      const plain = await this.predictPlain(ps.modelT, learned, s);
      if (plain === null) return null;
      pred = plain;
      let noise: tf.Tensor4D | undefined;
      const target = this.guide ? guidanceTarget(this.plan, ps) : null;
      try {
        if (this.guide && target) cg = this.guide.beforeStep(this.x, ps.modelT, pred.eps, target);
        // Fresh z only where σ > 0: none at t = 0 (Alg. 2 line 3) nor for DDIM with η = 0.
        noise = ps.sigma > 0 ? streamNoise(this.shape, seed, stepNoiseStream(index)) : undefined;
        result = reverseStep(
          this.plan,
          ps,
          this.x,
          cg?.eps ?? pred.eps,
          noise,
          clipX0,
          pred.v ?? null,
        );
        if (this.guide && target && cg) {
          const shifted = this.guide.afterStep(result.xPrev, cg.grad, target);
          result.xPrev.dispose();
          result = { ...result, xPrev: shifted };
        }
      } catch (err) {
        predictionTensors(pred).forEach((t) => t.dispose());
        if (cg) tf.dispose([cg.grad, cg.probs]);
        throw err;
      } finally {
        noise?.dispose();
        cg?.eps.dispose();
      }
    }
    this.disposeLast();
    const guided = usesGuidance(this.model.config.numClasses, classes, s);
    this.last = {
      index,
      t: ps.modelT,
      guidanceScale: s,
      guided,
      xt: this.x,
      x0Pred: result.x0Pred,
      epsUsed: result.epsUsed,
      pred,
      classifier:
        cg && this.guide ? { scale: this.guide.scale, grad: cg.grad, probs: cg.probs } : null,
    };
    this.x = result.xPrev;
    return this.last;
  }

  /** Trajectory mode: one readback per step of (x_t, x̂_0), plus x_0 after the last step. */
  private async record(last: LastStep): Promise<void> {
    const done = this.done;
    const arrays = await readTogether(
      done ? [last.xt, last.x0Pred, this.x] : [last.xt, last.x0Pred],
    );
    const { index, t, guidanceScale } = last;
    this.frames.push({ index, t, guidanceScale, xt: arrays[0], x0Pred: arrays[1] });
    if (done) this.finalSample = arrays[2];
  }

  private disposeLast(): void {
    if (this.last === null) return;
    this.last.xt.dispose();
    this.last.x0Pred.dispose();
    this.last.epsUsed.dispose();
    predictionTensors(this.last.pred).forEach((t) => t.dispose());
    if (this.last.classifier) tf.dispose([this.last.classifier.grad, this.last.classifier.probs]);
    this.last = null;
  }
}
