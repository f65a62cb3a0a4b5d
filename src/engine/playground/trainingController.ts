// Live training of the model in the slot: a Trainer plus a TrainingSession, with progress,
// state changes and, every few steps, a preview grid sampled with one fixed seed (so the class
// sees the same noise turn into better digits as training goes on): from the raw weights early,
// from the EMA weights once the EMA has warmed up (emaWarmupSteps), and labelled which.
import type { LossWeighting } from '../../diffusion/lossWeighting';
import {
  Trainer,
  TrainingSession,
  emaWarmupSteps,
  type SessionState,
  type TrainingProgress,
} from '../training';
import { sampleImages } from '../sampling';
import type { Dataset } from '../../data/dataset';
import type { GradientPeers } from '../training/partGradient';
import type { ModelSlot } from './modelSlot';
import type { Params } from '../../model';
import { leaseCopiedWeights, leaseSnapshotWeights, type WeightsLease } from './weights';

export interface TrainingConfig {
  batchSize: number;
  learningRate: number;
  /** How each t weighs in the loss (diffusion/lossWeighting.ts); default uniform (Ho et al.). */
  lossWeighting?: LossWeighting;
  pUncond: number;
  targetSteps: number;
  seed?: number;
  warmupSteps?: number;
  /** Steps between progress reports (each is one readback). */
  reportEvery?: number;
  /** Steps between preview grids; 0 turns previews off. */
  previewEvery?: number;
  previewCount?: number;
  /** DDIM steps for a preview. */
  previewSteps?: number;
}

export interface PreviewGrid {
  step: number;
  data: Float32Array;
  shape: [number, number, number, number];
  classes: number[] | null;
  /** Which weights drew it: the raw weights (early) or their EMA (once warmed up). */
  weights: 'raw' | 'ema';
  /** The step from which previews use the EMA weights. */
  emaFromStep: number;
}

export type TrainingEvent =
  | { type: 'progress'; progress: TrainingProgress }
  | { type: 'state'; state: SessionState; error?: string }
  | { type: 'preview'; preview: PreviewGrid };

const PREVIEW_SEED = 1234;

export class TrainingController {
  private trainer: Trainer | null = null;
  private session: TrainingSession | null = null;
  private config: TrainingConfig | null = null;
  private listener: ((e: TrainingEvent) => void) | null = null;
  private previewInFlight = false;
  /** ensureSession calls run one after another, so concurrent starts build one trainer. */
  private sessionQueue: Promise<unknown> = Promise.resolve();
  private lastPreviewStep = -1;

  constructor(
    private readonly slot: ModelSlot,
    private readonly trainData: (name: string) => Promise<Dataset>,
    /** Other workers to share each step's batch with (partGradient.ts); null: none. */
    private readonly peers: GradientPeers | null = null,
  ) {}

  get state(): SessionState {
    return this.session?.state ?? 'idle';
  }

  get stepCount(): number {
    return this.trainer?.stepCount ?? 0;
  }

  /** The loss weighting of the run in progress (null before the first Train or Step). */
  get lossWeighting(): LossWeighting | null {
    return this.trainer?.lossWeighting ?? null;
  }

  /** Weights for sampling: the EMA copy while a trainer exists, else null (use the model's). */
  emaLease(): WeightsLease | null {
    const params = this.emaParamsCopy();
    return params ? leaseCopiedWeights(this.slot.model, params) : null;
  }

  /** A copy of the EMA weights (the caller disposes it), or null when nothing is training. */
  emaParamsCopy(): Params | null {
    return this.trainer ? this.trainer.emaParams() : null;
  }

  setListener(listener: ((e: TrainingEvent) => void) | null): void {
    this.listener = listener;
  }

  private emit(e: TrainingEvent): void {
    this.listener?.(e);
  }

  /**
   * Builds the trainer on first use, or again when settings that shape it changed. Calls are
   * queued: a second start while the first is still loading the data joins its session, so there
   * is only ever one training loop.
   */
  private ensureSession(config: TrainingConfig): Promise<TrainingSession> {
    const run = this.sessionQueue.then(() => this.ensureSessionNow(config));
    this.sessionQueue = run.catch(() => undefined);
    return run;
  }

  private async ensureSessionNow(config: TrainingConfig): Promise<TrainingSession> {
    const c = this.config;
    const reusable =
      this.trainer &&
      this.session &&
      c &&
      c.batchSize === config.batchSize &&
      c.pUncond === config.pUncond &&
      (c.seed ?? 0) === (config.seed ?? 0);
    if (reusable && this.session) {
      this.session.setTargetSteps(config.targetSteps);
      this.session.setLearningRate(config.learningRate);
      this.trainer?.setLossWeighting(config.lossWeighting ?? 'uniform');
      this.config = config;
      return this.session;
    }
    await this.stop();
    const info = this.slot.info;
    if (!info) throw new Error('no model yet: create one or load a checkpoint first');
    const dataset = await this.trainData(info.dataset);
    const trainer = new Trainer(this.slot.model, dataset, this.slot.schedule, {
      batchSize: config.batchSize,
      learningRate: config.learningRate,
      lossWeighting: config.lossWeighting ?? 'uniform',
      pUncond: config.pUncond,
      seed: config.seed ?? 0,
      warmupSteps: config.warmupSteps,
      reportEvery: config.reportEvery ?? 5,
    });
    trainer.setGradientPeers(this.peers);
    const base = info.trainingSteps;
    const session = new TrainingSession(trainer, {
      targetSteps: config.targetSteps,
      onProgress: (progress) => {
        this.slot.setTrainingSteps(base + progress.step);
        this.emit({ type: 'progress', progress });
        this.maybePreview(progress.step);
      },
      onStateChange: (state, error) => this.emit({ type: 'state', state, error: error?.message }),
    });
    this.trainer = trainer;
    this.session = session;
    this.config = config;
    return session;
  }

  async start(config: TrainingConfig): Promise<void> {
    const session = await this.ensureSession(config);
    void session.start();
  }

  async pause(): Promise<void> {
    await this.session?.pause();
  }

  async stepOnce(config: TrainingConfig): Promise<TrainingProgress> {
    const session = await this.ensureSession(config);
    return session.stepOnce();
  }

  setLearningRate(lr: number): void {
    if (!Number.isFinite(lr) || lr <= 0) {
      throw new RangeError(`learning rate must be a positive number (got ${lr})`);
    }
    this.session?.setLearningRate(lr);
    if (this.config) this.config = { ...this.config, learningRate: lr };
  }

  private maybePreview(step: number): void {
    const every = this.config?.previewEvery ?? 0;
    if (every <= 0 || this.previewInFlight || step - this.lastPreviewStep < every) return;
    this.lastPreviewStep = step;
    void this.preview(step);
  }

  /** Samples a small grid (raw weights early, EMA later); runs between training steps. */
  async preview(step = this.stepCount): Promise<PreviewGrid | null> {
    if (!this.trainer) return null;
    const emaFromStep = emaWarmupSteps(this.trainer.options.emaDecay);
    const weights = step >= emaFromStep ? 'ema' : 'raw';
    const lease = weights === 'ema' ? this.emaLease() : leaseSnapshotWeights(this.slot.model);
    if (!lease) return null;
    this.previewInFlight = true;
    try {
      const { imageSize, inChannels, numClasses } = lease.model.config;
      const n = this.config?.previewCount ?? 8;
      const classes = numClasses > 0 ? Array.from({ length: n }, (_, i) => i % numClasses) : null;
      const data = await sampleImages(lease.model, this.slot.schedule, {
        n,
        sampler: 'ddim',
        steps: Math.min(this.config?.previewSteps ?? 20, this.slot.schedule.T),
        classes,
        seed: PREVIEW_SEED,
        batch: n,
      });
      const preview: PreviewGrid = {
        step,
        data,
        shape: [n, imageSize, imageSize, inChannels],
        classes,
        weights,
        emaFromStep,
      };
      this.emit({ type: 'preview', preview });
      return preview;
    } finally {
      lease.release();
      this.previewInFlight = false;
    }
  }

  /** Stops and frees the trainer (its Adam state and EMA); the model keeps its weights. */
  async stop(): Promise<void> {
    const session = this.session;
    const trainer = this.trainer;
    this.session = null;
    this.trainer = null;
    this.config = null;
    this.lastPreviewStep = -1;
    if (session) await session.dispose();
    trainer?.dispose();
  }
}
