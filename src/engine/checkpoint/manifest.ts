// Validation of model.json. Everything is checked before a single weight is read, and each
// problem is reported as a CheckpointError whose message names the field and the bad value.
import { isScheduleKind, makeSchedule } from '../../diffusion/schedule';
import { validateConfig, type UNetConfig } from '../../model/config';
import { DATASETS, getPreset, type DatasetName } from '../../model/presets';
import { CheckpointError, messageOf } from './errors';
import { JsonReader, isJsonObject, show } from './jsonReader';
import {
  CHECKPOINT_FORMAT,
  CHECKPOINT_FORMAT_VERSION,
  type CheckpointManifest,
  type CheckpointSchedule,
  type TrainingProvenance,
} from './types';
import {
  checkWeightsMatchConfig,
  entryStorage,
  entrySize,
  readWeightsManifest,
  weightEntries,
  weightsByteLength,
} from './weightsManifest';

function configError(message: string): never {
  throw new CheckpointError('config', message);
}

function readFormat(r: JsonReader): void {
  if (!r.has('format')) {
    throw new CheckpointError(
      'format',
      `model.json has no 'format' field; expected "${CHECKPOINT_FORMAT}" (is this a Diffusion Playground checkpoint?)`,
    );
  }
  const format = r.raw('format');
  if (format !== CHECKPOINT_FORMAT) {
    throw new CheckpointError(
      'format',
      `model.json format is ${show(format)}, expected "${CHECKPOINT_FORMAT}"`,
    );
  }
  const version = r.raw('formatVersion');
  if (version !== CHECKPOINT_FORMAT_VERSION) {
    const newer = typeof version === 'number' && version > CHECKPOINT_FORMAT_VERSION;
    throw new CheckpointError(
      'version',
      `checkpoint formatVersion ${show(version)} is not supported ` +
        `(this app reads version ${CHECKPOINT_FORMAT_VERSION}${newer ? '; it was written by a newer app' : ''})`,
    );
  }
}

/** Types first (so validateConfig sees numbers and arrays), then the model's own rules. */
function readModelConfig(r: JsonReader): UNetConfig {
  const c = r.object('modelConfig');
  const config: UNetConfig = {
    imageSize: c.int('imageSize'),
    inChannels: c.int('inChannels'),
    baseChannels: c.int('baseChannels'),
    channelMults: c.intArray('channelMults'),
    numResBlocks: c.int('numResBlocks'),
    attentionResolutions: c.intArray('attentionResolutions'),
    groups: c.int('groups'),
    dropout: c.number('dropout'),
    numClasses: c.int('numClasses'),
  };
  const ted = c.optional('timeEmbedDim', (k) => c.int(k));
  if (ted !== undefined) config.timeEmbedDim = ted;
  const patch = c.optional('patchSize', (k) => c.int(k));
  if (patch !== undefined) config.patchSize = patch;
  // Absent in checkpoints written before the learned variance existed: they predict ε only.
  const learnSigma = c.optional('learnSigma', (k) => c.boolean(k));
  if (learnSigma !== undefined) config.learnSigma = learnSigma;
  // Absent except in a cascade's super-resolution stage (Ho et al. 2021).
  const cond = c.optional('condChannels', (k) => c.int(k));
  if (cond !== undefined) config.condChannels = cond;
  const augLevelCond = c.optional('augLevelCond', (k) => c.boolean(k));
  if (augLevelCond !== undefined) config.augLevelCond = augLevelCond;
  try {
    validateConfig(config);
  } catch (e) {
    configError(`checkpoint modelConfig is invalid: ${messageOf(e)}`);
  }
  return config;
}

function readSchedule(r: JsonReader): CheckpointSchedule {
  const s = r.object('schedule');
  const kind = s.raw('kind');
  if (!isScheduleKind(kind)) return s.fail('kind', '"linear" or "cosine"');
  const schedule: CheckpointSchedule = { kind, T: s.int('T'), scaled: s.boolean('scaled') };
  try {
    makeSchedule(schedule); // the exact rules the app applies when it uses the schedule
  } catch (e) {
    configError(`checkpoint schedule is invalid: ${messageOf(e)}`);
  }
  return schedule;
}

function readDataset(r: JsonReader, config: UNetConfig): DatasetName {
  const dataset = r.raw('dataset');
  if (!DATASETS.includes(dataset as DatasetName)) {
    r.fail('dataset', `one of ${DATASETS.map((d) => `"${d}"`).join(', ')}`);
  }
  const name = dataset as DatasetName;
  // The app feeds the model this data set's images and shows its samples as such; a latent
  // model takes its autoencoder's latents instead (latentShape).
  const latent = readLatentShape(r);
  const { imageSize, inChannels } = latent
    ? { imageSize: latent[0], inChannels: latent[2] }
    : getPreset(name, 'tiny');
  // A cascade's base stage models the data set downsampled by an integer factor (14x14 MNIST).
  const downsampled = !latent && config.imageSize < imageSize && imageSize % config.imageSize === 0;
  if ((config.imageSize !== imageSize && !downsampled) || config.inChannels !== inChannels) {
    configError(
      `checkpoint modelConfig takes ${config.imageSize}x${config.imageSize}x${config.inChannels} ` +
        `images but data set ${name} has ${imageSize}x${imageSize}x${inChannels}`,
    );
  }
  return name;
}

function readLatentShape(r: JsonReader): [number, number, number] | undefined {
  if (!r.has('latentShape')) return undefined;
  const shape = r.intArray('latentShape', { min: 1, max: 1024 });
  if (shape.length !== 3 || shape[0] !== shape[1]) {
    r.fail('latentShape', 'three integers [h, w, c] with h = w');
  }
  return [shape[0], shape[1], shape[2]];
}

/** A class name fits a select and a caption (CIFAR-10's longest is 10 characters). */
export const MAX_CLASS_NAME_LENGTH = 40;

function readClassNames(r: JsonReader, config: UNetConfig): string[] {
  const names = r.stringArray('classNames');
  const tooLong = names.findIndex((n) => n.length > MAX_CLASS_NAME_LENGTH || n.trim() === '');
  if (tooLong >= 0) {
    configError(
      `checkpoint classNames[${tooLong}] must be 1-${MAX_CLASS_NAME_LENGTH} characters ` +
        `(it has ${names[tooLong].length})`,
    );
  }
  if (config.numClasses > 0 && names.length !== config.numClasses) {
    configError(
      `checkpoint has ${names.length} classNames but modelConfig.numClasses is ${config.numClasses}`,
    );
  }
  return names;
}

function readTraining(r: JsonReader): TrainingProvenance | undefined {
  if (!r.has('training')) return undefined;
  const t = r.object('training');
  const training: TrainingProvenance = {
    batch: t.int('batch', { min: 1 }),
    learningRate: t.number('learningRate', 0),
    pUncond: t.number('pUncond', 0, 1),
    seed: t.int('seed'),
    wallTimeSeconds: t.number('wallTimeSeconds', 0),
  };
  for (const key of ['command', 'gitCommit', 'machine'] as const) {
    const v = t.optional(key, (k) => t.string(k));
    if (v !== undefined) training[key] = v;
  }
  return training;
}

function readCreatedAt(r: JsonReader): string {
  const s = r.string('createdAt');
  if (Number.isNaN(Date.parse(s))) r.fail('createdAt', 'an ISO 8601 date');
  return s;
}

/**
 * Checks every field of a parsed model.json, including that the weight list matches what
 * modelConfig needs (names and shapes). Returns a fresh object holding only the known fields.
 */
export function validateManifest(json: unknown): CheckpointManifest {
  if (!isJsonObject(json)) {
    throw new CheckpointError('format', `model.json must be a JSON object, got ${show(json)}`);
  }
  const r = new JsonReader(json);
  readFormat(r);
  const modelConfig = readModelConfig(r);
  const schedule = readSchedule(r);
  const dataset = readDataset(r, modelConfig);
  const manifest: CheckpointManifest = {
    format: CHECKPOINT_FORMAT,
    formatVersion: CHECKPOINT_FORMAT_VERSION,
    modelConfig,
    schedule,
    dataset,
    classNames: readClassNames(r, modelConfig),
    trainingSteps: r.int('trainingSteps', { min: 0 }),
    ema: r.boolean('ema'),
    createdAt: readCreatedAt(r),
    weightsManifest: readWeightsManifest(r.raw('weightsManifest')),
  };
  const training = readTraining(r);
  if (training) manifest.training = training;
  const latentShape = readLatentShape(r);
  if (latentShape) manifest.latentShape = latentShape;
  const crc = r.optional('weightsCrc32', (k) => r.string(k));
  if (crc !== undefined) {
    if (!/^[0-9a-f]{8}$/.test(crc)) r.fail('weightsCrc32', '8 lowercase hex digits');
    manifest.weightsCrc32 = crc;
  }
  checkWeightsMatchConfig(weightEntries(manifest), modelConfig);
  return manifest;
}

/** What a checkpoint list shows without loading weights. */
export interface CheckpointSummary {
  dataset: DatasetName;
  modelConfig: UNetConfig;
  schedule: CheckpointSchedule;
  trainingSteps: number;
  ema: boolean;
  createdAt: string;
  numParams: number;
  weightBytes: number;
  storage: 'float32' | 'float16' | 'mixed';
}

export function summarizeManifest(m: CheckpointManifest): CheckpointSummary {
  const entries = weightEntries(m);
  const kinds = new Set(entries.map(entryStorage));
  return {
    dataset: m.dataset,
    modelConfig: m.modelConfig,
    schedule: m.schedule,
    trainingSteps: m.trainingSteps,
    ema: m.ema,
    createdAt: m.createdAt,
    numParams: entries.reduce((n, e) => n + entrySize(e), 0),
    weightBytes: weightsByteLength(m),
    storage: kinds.size > 1 ? 'mixed' : kinds.has('float16') ? 'float16' : 'float32',
  };
}
