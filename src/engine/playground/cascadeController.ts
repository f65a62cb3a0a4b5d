// The Cascade view's engine (Ho et al. 2021): holds one cascade (the pretrained
// models/mnist-cascade, or a tiny one trained in the browser), samples it with every step
// recorded for scrubbing (base 14×14 → augmented + upsampled → SR 28×28, and the SR model trained
// without augmentation from the same low-res samples), and trains a tiny cascade with progress.
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../../data/dataset';
import { downsampleDataset } from '../../data/downsample';
import { makeSchedule } from '../../diffusion/schedule';
import { validateAugLevel, type AugmentationKind } from '../../diffusion/conditioningAugmentation';
import { cascadeBaseConfig, cascadeSrConfig } from '../../model/cascadePresets';
import { countParams } from '../../model/params';
import { UNet } from '../../model/unet';
import { deriveSeed } from '../../random/seeded';
import type { Cascade, SrStage } from '../cascade/cascade';
import { disposeCascade } from '../cascade/cascade';
import {
  augmentedCondition,
  CASCADE_FACTOR,
  trainingCondition,
  upsample,
} from '../cascade/conditioning';
import { fetchCascade } from '../cascade/fetchCascade';
import { augValueAt, CASCADE_SAMPLE_STREAM, conditionedEpsModel } from '../cascade/sampleCascade';
import { CASCADE_STAGE_FORMAT, type CascadeStageInfo } from '../cascade/stage';
import type { EpsModel } from '../sampling/eps';
import { SamplingSession } from '../sampling/session';
import { Trainer } from '../training/trainer';

export type CascadeStageName = 'base' | 'sr' | 'sr-noaug';

export interface CascadeStageSummary {
  name: CascadeStageName;
  imageSize: number;
  params: number;
  trainingSteps: number;
  augmentation: AugmentationKind;
  augStrength: number;
}

export interface CascadeInfo {
  source: 'pretrained' | 'trained';
  stages: CascadeStageSummary[];
}

export interface CascadeSampleRequest {
  classLabel: number;
  /** Classifier-free guidance scale of the base stage (ε̃ = ε_u + s(ε_c − ε_u)). */
  guidance: number;
  n: number;
  /** DDIM steps per stage. */
  steps: number;
  seed: number;
  /** Sampling-time augmentation level of the SR stage (noise a ∈ [0, 1]; blur σ). */
  augLevel: number;
  /**
   * Truncated augmentation (CDM Sec. 4.2; noise only): the SR model reads the base's own x_t at
   * the first step with t ≤ s instead of the finished sample noised to s.
   */
  truncated?: boolean;
}

/** A stage's recorded run: x_t before each step, then the final sample, flattened. */
export interface StageRun {
  /** Model timestep of each step (steps entries). */
  ts: number[];
  /** (steps + 1) × n × size × size × 1: frame k is x_t before step k, the last is x_0. */
  frames: Float32Array;
  size: number;
  ms: number;
}

export interface CascadeSampleResult {
  n: number;
  base: StageRun;
  /** The base samples upsampled without augmentation (bilinear), n × 28 × 28. */
  upsampled: Float32Array;
  /** What the SR model trained with augmentation is conditioned on (augmented, upsampled). */
  condAug: Float32Array;
  augmentation: AugmentationKind;
  /** s (noise, a timestep index) or σ (blur, low-res pixels); 0 for none. Truncated: the t handed over. */
  augValue: number;
  /** Truncated: the base frame handed over (its index in base.frames); null otherwise. */
  handoverFrame: number | null;
  /** √ᾱ_s and √(1 − ᾱ_s) for noise augmentation; null otherwise. */
  noiseCoefficients: { signal: number; noise: number } | null;
  sr: StageRun;
  srNoAug: StageRun | null;
}

export interface CascadeTrainRequest {
  /** Steps per stage (base, sr, sr-noaug in turn). */
  steps: number;
  batch: number;
  seed: number;
}

export interface CascadeTrainProgress {
  stage: CascadeStageName;
  step: number;
  steps: number;
  /** Per-pixel mean L_simple of the last step. */
  loss: number;
  /** Of the whole run, in [0, 1]. */
  fraction: number;
}

const MAX_N = 16;
const MAX_STEPS = 200;

function summary(name: CascadeStageName, unet: UNet, info: CascadeStageInfo, steps: number) {
  return {
    name,
    imageSize: unet.config.imageSize,
    params: countParams(unet.config),
    trainingSteps: steps,
    augmentation: info.augmentation,
    augStrength: info.augStrength,
  };
}

export function validateCascadeSampleRequest(r: CascadeSampleRequest, c: Cascade): void {
  const K = c.base.config.numClasses;
  if (!Number.isInteger(r.classLabel) || r.classLabel < 0 || r.classLabel >= K) {
    throw new RangeError(`class must be an integer in [0, ${K - 1}] (got ${r.classLabel})`);
  }
  if (!Number.isFinite(r.guidance) || r.guidance < 0 || r.guidance > 20) {
    throw new RangeError(`guidance must be in [0, 20] (got ${r.guidance})`);
  }
  if (!Number.isInteger(r.n) || r.n < 1 || r.n > MAX_N) {
    throw new RangeError(`n must be an integer in [1, ${MAX_N}] (got ${r.n})`);
  }
  if (!Number.isInteger(r.steps) || r.steps < 1 || r.steps > MAX_STEPS) {
    throw new RangeError(`steps must be an integer in [1, ${MAX_STEPS}] (got ${r.steps})`);
  }
  if (!Number.isSafeInteger(r.seed))
    throw new RangeError(`seed must be an integer (got ${r.seed})`);
  validateAugLevel(c.sr.info.augmentation, r.augLevel);
}

async function recordRun(
  model: EpsModel,
  c: Cascade,
  n: number,
  steps: number,
  seed: number,
  classes: number[] | null,
  guidanceScale: number,
): Promise<StageRun> {
  const t0 = performance.now();
  const session = new SamplingSession(model, c.schedule, {
    n,
    sampler: 'ddim',
    steps,
    eta: 0,
    classes,
    seed,
    guidanceScale,
    clipX0: true,
    recordTrajectory: true,
  });
  try {
    const snap = await session.run();
    if (!snap.done) throw new Error('sampling stopped before the last step');
    const { frames, final } = session.trajectory();
    const size = model.config.imageSize;
    const per = n * size * size * model.config.inChannels;
    const out = new Float32Array((frames.length + 1) * per);
    frames.forEach((f, k) => out.set(f.xt, k * per));
    out.set(final ?? snap.x, frames.length * per);
    return { ts: frames.map((f) => f.t), frames: out, size, ms: performance.now() - t0 };
  } finally {
    session.dispose();
  }
}

async function readAndDispose(t: tf.Tensor): Promise<Float32Array> {
  try {
    return (await t.data()) as Float32Array;
  } finally {
    t.dispose();
  }
}

export class CascadeController {
  private cascade: Cascade | null = null;
  private source: CascadeInfo['source'] = 'pretrained';
  private steps = new Map<CascadeStageName, number>();

  info(): CascadeInfo | null {
    const c = this.cascade;
    if (!c) return null;
    const stages = [
      summary('base', c.base, c.baseInfo, this.steps.get('base') ?? 0),
      summary('sr', c.sr.unet, c.sr.info, this.steps.get('sr') ?? 0),
    ];
    if (c.srNoAug) {
      stages.push(
        summary('sr-noaug', c.srNoAug.unet, c.srNoAug.info, this.steps.get('sr-noaug') ?? 0),
      );
    }
    return { source: this.source, stages };
  }

  /** Loads models/mnist-cascade; the cascade in use stays if anything fails. */
  async loadPretrained(modelBaseUrl: string): Promise<CascadeInfo> {
    const next = await fetchCascade(modelBaseUrl);
    this.swap(next, 'pretrained');
    return this.info() as CascadeInfo;
  }

  private swap(
    next: Cascade,
    source: CascadeInfo['source'],
    steps?: Map<CascadeStageName, number>,
  ) {
    if (this.cascade) disposeCascade(this.cascade);
    this.cascade = next;
    this.source = source;
    this.steps = steps ?? new Map();
  }

  setTrainingSteps(steps: Map<CascadeStageName, number>): void {
    this.steps = steps;
  }

  async sample(r: CascadeSampleRequest): Promise<CascadeSampleResult> {
    const c = this.cascade;
    if (!c) throw new Error('no cascade loaded: load the pretrained one or train one first');
    validateCascadeSampleRequest(r, c);
    const classes = new Array<number>(r.n).fill(r.classLabel);
    const base = await recordRun(c.base, c, r.n, r.steps, r.seed, classes, r.guidance);
    const h = c.base.config.imageSize;
    const size = c.sr.unet.config.imageSize;
    const per = r.n * h * h;
    const low = base.frames.subarray(base.frames.length - per);
    const xLow = tf.tensor4d(low, [r.n, h, h, 1]);
    try {
      const upsampled = await readAndDispose(tf.tidy(() => upsample(xLow, size)));
      // Truncated (CDM Sec. 4.2): the first recorded base step with t ≤ s; its x_t is z_t.
      const s = augValueAt(c.sr.info.augmentation, r.augLevel, c.schedule.T);
      const truncated = r.truncated === true && c.sr.info.augmentation === 'noise';
      if (r.truncated === true && !truncated) {
        throw new RangeError('truncated augmentation needs an SR model trained with noise');
      }
      const handover = truncated ? base.ts.findIndex((t) => t <= s) : -1;
      const zLow = truncated
        ? tf.tensor4d(base.frames.subarray(handover * per, (handover + 1) * per), [r.n, h, h, 1])
        : null;
      const runSr = async (stage: SrStage, level: number, k: number) => {
        const useZ = zLow !== null && stage === c.sr;
        const value = useZ
          ? base.ts[handover]
          : augValueAt(stage.info.augmentation, level, c.schedule.T);
        const cond = augmentedCondition(
          useZ ? zLow : xLow,
          useZ ? 'none' : stage.info.augmentation,
          new Array<number>(r.n).fill(value),
          size,
          c.schedule,
          deriveSeed(r.seed, CASCADE_SAMPLE_STREAM.augNoise, k),
        );
        if (useZ) {
          cond.augLevel?.dispose();
          cond.augLevel = tf.fill([r.n], value, 'int32') as tf.Tensor1D;
        }
        try {
          const model = conditionedEpsModel(stage.unet, {
            image: cond.image,
            ...(cond.augLevel ? { augLevel: cond.augLevel } : {}),
          });
          const seed = deriveSeed(r.seed, CASCADE_SAMPLE_STREAM.srSampling, 0);
          const run = await recordRun(model, c, r.n, r.steps, seed, null, 1);
          return { run, cond: (await cond.image.data()) as Float32Array, value };
        } finally {
          tf.dispose([cond.low, cond.image, ...(cond.augLevel ? [cond.augLevel] : [])]);
        }
      };
      let sr: Awaited<ReturnType<typeof runSr>>;
      let noAug: Awaited<ReturnType<typeof runSr>> | null;
      try {
        sr = await runSr(c.sr, r.augLevel, 0);
        // Same low-res samples and the same SR noise: only the training (with / without) differs.
        noAug = c.srNoAug ? await runSr(c.srNoAug, 0, 1) : null;
      } finally {
        zLow?.dispose();
      }
      const kind = c.sr.info.augmentation;
      const ab = kind === 'noise' ? c.schedule.alphaBars[sr.value] : null;
      return {
        n: r.n,
        base,
        upsampled,
        condAug: sr.cond,
        augmentation: kind,
        augValue: sr.value,
        handoverFrame: truncated ? handover : null,
        noiseCoefficients: ab === null ? null : { signal: Math.sqrt(ab), noise: Math.sqrt(1 - ab) },
        sr: sr.run,
        srNoAug: noAug?.run ?? null,
      };
    } finally {
      xLow.dispose();
    }
  }

  /**
   * Trains a tiny cascade (base, SR with noise augmentation, SR without) on MNIST, `steps` each,
   * then makes it the cascade in use. The one in use stays until all three are trained.
   */
  async trainTiny(
    r: CascadeTrainRequest,
    mnist: Dataset,
    onProgress: (p: CascadeTrainProgress) => void | Promise<void>,
    shouldStop: () => boolean = () => false,
  ): Promise<CascadeInfo> {
    if (!Number.isInteger(r.steps) || r.steps < 1 || r.steps > 5000) {
      throw new RangeError(`steps must be an integer in [1, 5000] (got ${r.steps})`);
    }
    if (!Number.isInteger(r.batch) || r.batch < 1 || r.batch > 256) {
      throw new RangeError(`batch must be an integer in [1, 256] (got ${r.batch})`);
    }
    const schedule = makeSchedule({ kind: 'linear', T: 1000 });
    const plan: { name: CascadeStageName; aug: AugmentationKind; strength: number }[] = [
      { name: 'base', aug: 'none', strength: 0 },
      { name: 'sr', aug: 'noise', strength: 0.5 },
      { name: 'sr-noaug', aug: 'none', strength: 0 },
    ];
    const low = downsampleDataset(mnist, CASCADE_FACTOR);
    const made: UNet[] = [];
    try {
      for (const [i, p] of plan.entries()) {
        const config =
          p.name === 'base' ? cascadeBaseConfig('tiny') : cascadeSrConfig('tiny', p.aug);
        const unet = UNet.create(config, { seed: r.seed });
        made.push(unet);
        const conditioner =
          p.name === 'base'
            ? null
            : (x0: tf.Tensor4D, step: number) =>
                trainingCondition(x0, p.aug, p.strength, schedule, r.seed, step);
        const trainer = new Trainer(
          unet,
          p.name === 'base' ? low : mnist,
          schedule,
          { batchSize: r.batch, learningRate: 2e-3, warmupSteps: 10, seed: r.seed, reportEvery: 1 },
          conditioner,
        );
        try {
          while (trainer.stepCount < r.steps) {
            if (shouldStop()) throw new Error('training stopped');
            const stats = await trainer.step();
            if (stats) {
              await onProgress({
                stage: p.name,
                step: stats.step,
                steps: r.steps,
                loss: stats.loss,
                fraction: (i + stats.step / r.steps) / plan.length,
              });
            }
          }
          // Sample with the EMA weights, as the CLI's checkpoints do.
          const ema = trainer.emaParams();
          for (const [name, v] of unet.params) {
            const e = ema.get(name);
            if (e) v.assign(e);
          }
          for (const v of ema.values()) v.dispose();
        } finally {
          trainer.dispose();
        }
      }
    } catch (e) {
      for (const m of made) m.dispose();
      throw e;
    }
    const [base, sr, srNoAug] = made;
    const info = (
      aug: AugmentationKind,
      strength: number,
      stage: 'base' | 'sr',
    ): CascadeStageInfo => ({
      format: CASCADE_STAGE_FORMAT,
      stage,
      augmentation: aug,
      augStrength: strength,
      factor: 2,
    });
    this.swap(
      {
        base,
        baseInfo: info('none', 0, 'base'),
        sr: { unet: sr, info: info('noise', 0.5, 'sr') },
        srNoAug: { unet: srNoAug, info: info('none', 0, 'sr') },
        schedule,
        classNames: mnist.classNames,
      },
      'trained',
      new Map(plan.map((p) => [p.name, r.steps])),
    );
    return this.info() as CascadeInfo;
  }

  dispose(): void {
    if (this.cascade) disposeCascade(this.cascade);
    this.cascade = null;
  }
}
