// The model in use by the worker, with what the UI needs to know about it. Replacing it is atomic:
// the new model is fully built (and validated, for checkpoints) before the old one is disposed,
// so a bad checkpoint or a failed creation leaves the model in use untouched. Swaps run one at a
// time, so a conditional swap ("only if there is no model yet") cannot race another swap.
import { UNet, countParams, flopsPerImage, getPreset, type PresetName } from '../../model';
import type { UNetConfig } from '../../model';
import type { ScheduleOptions } from '../../diffusion/schedule';
import { makeSchedule, type Schedule } from '../../diffusion/schedule';
import {
  createUNetFromCheckpoint,
  decodeCheckpoint,
  type DecodedCheckpoint,
  type RawCheckpoint,
} from '../checkpoint';
import type { PretrainedName } from './pretrained';

export type DatasetName = 'mnist' | 'cifar10';

export interface ModelMeta {
  dataset: DatasetName;
  preset: PresetName | null;
  classNames: string[];
  schedule: ScheduleOptions;
  trainingSteps: number;
  /** The weights are an exponential moving average (as pretrained checkpoints store them). */
  ema: boolean;
  origin: 'new' | 'checkpoint' | 'pretrained';
  /** Where a checkpoint came from (a saved name or a file name), for the UI. */
  label: string;
  /** Which shipped model this is, when origin is 'pretrained'. */
  pretrained?: PretrainedName;
}

export interface ModelInfo extends ModelMeta {
  numParams: number;
  flopsPerImage: number;
  numClasses: number;
  imageSize: number;
  channels: number;
  /** The model also outputs v for a learned Σ_θ (Nichol & Dhariwal 2021, eq. 15). */
  learnSigma: boolean;
}

export const DEFAULT_SCHEDULE: ScheduleOptions = { kind: 'linear', T: 1000 };

export class ModelSlot {
  private unet: UNet | null = null;
  private meta: ModelMeta | null = null;
  private sched: Schedule | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  /** Called after every swap, before the old model is disposed (to stop sessions using it). */
  onReplace: (() => Promise<void> | void) | null = null;

  get model(): UNet {
    if (!this.unet) throw new Error('no model yet: create one or load a checkpoint first');
    return this.unet;
  }

  get schedule(): Schedule {
    if (!this.sched) throw new Error('no model yet: create one or load a checkpoint first');
    return this.sched;
  }

  get info(): ModelInfo | null {
    if (!this.unet || !this.meta) return null;
    return describe(this.unet.config, this.meta);
  }

  get hasModel(): boolean {
    return this.unet !== null;
  }

  setTrainingSteps(steps: number): void {
    if (this.meta) this.meta = { ...this.meta, trainingSteps: steps };
  }

  async create(
    dataset: DatasetName,
    preset: PresetName,
    classNames: string[],
    opts: { seed?: number; schedule?: ScheduleOptions; learnSigma?: boolean } = {},
  ): Promise<ModelInfo> {
    // learnSigma: the output conv gives ε̂ and v, and training uses L_hybrid (engine/training/loss.ts).
    const config = opts.learnSigma
      ? { ...getPreset(dataset, preset), learnSigma: true }
      : getPreset(dataset, preset);
    const schedule = makeSchedule(opts.schedule ?? DEFAULT_SCHEDULE);
    const unet = UNet.create(config, { seed: opts.seed ?? 0 });
    return this.replace(unet, schedule, {
      dataset,
      preset,
      classNames,
      schedule: opts.schedule ?? DEFAULT_SCHEDULE,
      trainingSteps: 0,
      ema: false,
      origin: 'new',
      label: `new ${dataset} ${preset} model${opts.learnSigma ? ' (learned Σ_θ)' : ''}`,
    });
  }

  /** Validates everything before touching the model in use (see src/engine/checkpoint). */
  async load(
    raw: RawCheckpoint,
    label: string,
    opts: { pretrained?: PretrainedName } = {},
  ): Promise<ModelInfo> {
    const decoded = await decodeCheckpoint(raw.modelJson, raw.weights);
    const { unet, schedule, meta } = fromCheckpoint(decoded, label, opts.pretrained);
    return this.replace(unet, schedule, meta);
  }

  /**
   * Swaps in an already validated checkpoint (decodeCheckpoint) only if there is no model in use
   * when its turn to swap comes; else it changes nothing and resolves to null.
   */
  async loadIfEmpty(
    decoded: DecodedCheckpoint,
    label: string,
    opts: { pretrained?: PretrainedName } = {},
  ): Promise<ModelInfo | null> {
    // Checked again at the swap; this early answer only saves building tensors for nothing.
    if (this.unet) return null;
    const { unet, schedule, meta } = fromCheckpoint(decoded, label, opts.pretrained);
    return this.replace(unet, schedule, meta, true);
  }

  /** Like load(), for a checkpoint already validated by decodeCheckpoint. */
  async loadDecoded(
    decoded: DecodedCheckpoint,
    label: string,
    opts: { pretrained?: PretrainedName } = {},
  ): Promise<ModelInfo> {
    const { unet, schedule, meta } = fromCheckpoint(decoded, label, opts.pretrained);
    return this.replace(unet, schedule, meta);
  }

  /**
   * Resolves once every swap asked for so far is over, so a run started after it reads the model
   * that will be in use (and a later swap's onReplace sees that run and can stop it).
   */
  settled(): Promise<void> {
    return this.queue.then(() => undefined);
  }

  /** Swaps one at a time, in call order (each waits for onReplace of the one before). */
  private replace(unet: UNet, schedule: Schedule, meta: ModelMeta): Promise<ModelInfo>;
  private replace(
    unet: UNet,
    schedule: Schedule,
    meta: ModelMeta,
    onlyIfEmpty: boolean,
  ): Promise<ModelInfo | null>;
  private replace(
    unet: UNet,
    schedule: Schedule,
    meta: ModelMeta,
    onlyIfEmpty = false,
  ): Promise<ModelInfo | null> {
    const run = this.queue.then(() => this.swap(unet, schedule, meta, onlyIfEmpty));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async swap(
    unet: UNet,
    schedule: Schedule,
    meta: ModelMeta,
    onlyIfEmpty: boolean,
  ): Promise<ModelInfo | null> {
    if (onlyIfEmpty && this.unet) {
      unet.dispose();
      return null;
    }
    const old = this.unet;
    try {
      await this.onReplace?.();
    } catch (e) {
      unet.dispose();
      throw e;
    }
    this.unet = unet;
    this.sched = schedule;
    this.meta = meta;
    old?.dispose();
    return describe(unet.config, meta);
  }

  dispose(): void {
    this.unet?.dispose();
    this.unet = null;
    this.meta = null;
    this.sched = null;
  }
}

/** A model built from a validated checkpoint, not yet in use. */
function fromCheckpoint(
  decoded: DecodedCheckpoint,
  label: string,
  pretrained: PretrainedName | undefined,
): { unet: UNet; schedule: Schedule; meta: ModelMeta } {
  const m = decoded.manifest;
  const meta: ModelMeta = {
    dataset: m.dataset,
    preset: null,
    classNames: [...m.classNames],
    schedule: { kind: m.schedule.kind, T: m.schedule.T, scaled: m.schedule.scaled },
    trainingSteps: m.trainingSteps,
    ema: m.ema,
    origin: pretrained ? 'pretrained' : 'checkpoint',
    label,
    ...(pretrained ? { pretrained } : {}),
  };
  const schedule = makeSchedule(m.schedule);
  return { unet: createUNetFromCheckpoint(decoded), schedule, meta };
}

function describe(config: UNetConfig, meta: ModelMeta): ModelInfo {
  return {
    ...meta,
    classNames: [...meta.classNames],
    numParams: countParams(config),
    flopsPerImage: flopsPerImage(config),
    numClasses: config.numClasses,
    imageSize: config.imageSize,
    channels: config.inChannels,
    learnSigma: config.learnSigma === true,
  };
}
