// Validation of a noisy classifier's model.json: every field checked, each problem a
// CheckpointError naming the field and the bad value (the judge's and U-Net's reader).
import { readLabelledFields, readWeightsCrc32 } from '../checkpoint/labelledFields';
import { isScheduleKind, MAX_T } from '../../diffusion/schedule';
import {
  noisyClassifierParamSpecs,
  validateNoisyClassifierConfig,
  type NoisyClassifierConfig,
} from '../../model/noisyClassifier';
import { CheckpointError, messageOf } from '../checkpoint/errors';
import { isJsonObject, JsonReader, show } from '../checkpoint/jsonReader';
import {
  checkWeightsMatchSpecs,
  readWeightsManifest,
  weightEntries,
} from '../checkpoint/weightsManifest';
import {
  NOISY_CLASSIFIER_FORMAT,
  NOISY_CLASSIFIER_FORMAT_VERSION,
  type BucketAccuracy,
  type NoisyClassifierManifest,
  type NoisyClassifierProvenance,
  type NoisyScheduleInfo,
} from './types';

function readFormat(r: JsonReader): void {
  const format = r.has('format') ? r.raw('format') : undefined;
  if (format !== NOISY_CLASSIFIER_FORMAT) {
    const hint =
      format === 'diffusion-playground-classifier'
        ? ' (this is the clean judge, not a noise-aware classifier)'
        : format === 'diffusion-playground-checkpoint'
          ? ' (this is a diffusion model, not a classifier)'
          : '';
    throw new CheckpointError(
      'format',
      `model.json format is ${show(format)}, expected "${NOISY_CLASSIFIER_FORMAT}"${hint}`,
    );
  }
  const version = r.raw('formatVersion');
  if (version !== NOISY_CLASSIFIER_FORMAT_VERSION) {
    throw new CheckpointError(
      'version',
      `noisy classifier formatVersion ${show(version)} is not supported (this app reads version ${NOISY_CLASSIFIER_FORMAT_VERSION})`,
    );
  }
}

function readConfig(r: JsonReader): NoisyClassifierConfig {
  const c = r.object('noisyClassifierConfig');
  const channels = c.intArray('channels', { min: 1 });
  if (channels.length !== 2) c.fail('channels', 'two integers');
  const config: NoisyClassifierConfig = {
    imageSize: c.int('imageSize', { min: 1 }),
    inChannels: c.int('inChannels', { min: 1 }),
    numClasses: c.int('numClasses', { min: 2 }),
    channels: [channels[0], channels[1]],
    timeEmbedDim: c.int('timeEmbedDim', { min: 4 }),
  };
  try {
    validateNoisyClassifierConfig(config);
  } catch (e) {
    throw new CheckpointError('config', `noisyClassifierConfig is invalid: ${messageOf(e)}`);
  }
  return config;
}

function readSchedule(r: JsonReader): NoisyScheduleInfo {
  const s = r.object('schedule');
  const raw = s.raw('kind');
  const kind = isScheduleKind(raw) ? raw : s.fail('kind', '"linear" or "cosine"');
  return { kind, T: s.int('T', { min: 2, max: MAX_T }), scaled: s.boolean('scaled') };
}

function readTraining(r: JsonReader): NoisyClassifierProvenance | undefined {
  if (!r.has('training')) return undefined;
  const t = r.object('training');
  const training: NoisyClassifierProvenance = {
    epochs: t.int('epochs', { min: 1 }),
    steps: t.int('steps', { min: 0 }),
    batch: t.int('batch', { min: 1 }),
    learningRate: t.number('learningRate', 0),
    warmupSteps: t.int('warmupSteps', { min: 0 }),
    seed: t.int('seed'),
    trainImages: t.int('trainImages', { min: 1 }),
    wallTimeSeconds: t.number('wallTimeSeconds', 0),
  };
  for (const key of ['command', 'gitCommit', 'machine'] as const) {
    const v = t.optional(key, (k) => t.string(k));
    if (v !== undefined) training[key] = v;
  }
  return training;
}

function readAccuracyByT(r: JsonReader, T: number): BucketAccuracy[] | undefined {
  if (!r.has('accuracyByT')) return undefined;
  return r.array('accuracyByT').map((item, i) => {
    if (!isJsonObject(item)) r.fail('accuracyByT', `a list of objects (item ${i})`);
    const b = new JsonReader(item, r.path(`accuracyByT[${i}]`));
    const tFrom = b.int('tFrom', { min: 0, max: T - 1 });
    return {
      tFrom,
      tTo: b.int('tTo', { min: tFrom + 1, max: T }),
      accuracy: b.number('accuracy', 0, 1),
      count: b.int('count', { min: 1 }),
    };
  });
}

/** Checks every field of a noisy classifier's model.json, weights included (names and shapes). */
export function validateNoisyClassifierManifest(json: unknown): NoisyClassifierManifest {
  if (!isJsonObject(json)) {
    throw new CheckpointError('format', `model.json must be a JSON object, got ${show(json)}`);
  }
  const r = new JsonReader(json);
  readFormat(r);
  const noisyClassifierConfig = readConfig(r);
  const schedule = readSchedule(r);
  const manifest: NoisyClassifierManifest = {
    format: NOISY_CLASSIFIER_FORMAT,
    formatVersion: NOISY_CLASSIFIER_FORMAT_VERSION,
    noisyClassifierConfig,
    schedule,
    ...readLabelledFields(r, noisyClassifierConfig.numClasses, 'the classifier'),
    weightsManifest: readWeightsManifest(r.raw('weightsManifest')),
  };
  const training = readTraining(r);
  if (training) manifest.training = training;
  const accuracyByT = readAccuracyByT(r, schedule.T);
  if (accuracyByT) manifest.accuracyByT = accuracyByT;
  const crc = readWeightsCrc32(r);
  if (crc !== undefined) manifest.weightsCrc32 = crc;
  checkWeightsMatchSpecs(weightEntries(manifest), noisyClassifierParamSpecs(noisyClassifierConfig));
  return manifest;
}
