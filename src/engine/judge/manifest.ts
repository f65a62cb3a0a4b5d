// Validation of a judge's model.json: every field checked, each problem a CheckpointError that
// names the field and the bad value (the same reader as the U-Net checkpoint's).
import { readLabelledFields, readWeightsCrc32 } from '../checkpoint/labelledFields';
import {
  classifierParamSpecs,
  validateClassifierConfig,
  type ClassifierArch,
  type ClassifierConfig,
} from '../../model/classifier';
import { CheckpointError, messageOf } from '../checkpoint/errors';
import { isJsonObject, JsonReader, show } from '../checkpoint/jsonReader';
import {
  checkWeightsMatchSpecs,
  readWeightsManifest,
  weightEntries,
} from '../checkpoint/weightsManifest';
import {
  CLASSIFIER_FORMAT,
  CLASSIFIER_FORMAT_VERSION,
  type ClassifierManifest,
  type ClassifierProvenance,
  type MeasuredAccuracy,
} from './types';

function readFormat(r: JsonReader): void {
  const format = r.has('format') ? r.raw('format') : undefined;
  if (format !== CLASSIFIER_FORMAT) {
    const hint =
      format === 'diffusion-playground-checkpoint'
        ? ' (this is a diffusion model, not a judge)'
        : '';
    throw new CheckpointError(
      'format',
      `model.json format is ${show(format)}, expected "${CLASSIFIER_FORMAT}"${hint}`,
    );
  }
  const version = r.raw('formatVersion');
  if (version !== CLASSIFIER_FORMAT_VERSION) {
    throw new CheckpointError(
      'version',
      `classifier formatVersion ${show(version)} is not supported (this app reads version ${CLASSIFIER_FORMAT_VERSION})`,
    );
  }
}

function readConfig(r: JsonReader): ClassifierConfig {
  const c = r.object('classifierConfig');
  const rawArch = c.has('arch') ? c.raw('arch') : undefined;
  if (rawArch !== undefined && rawArch !== 'strided' && rawArch !== 'vgg') {
    c.fail('arch', '"strided" or "vgg"');
  }
  const arch = rawArch as ClassifierArch | undefined;
  const channels = c.intArray('channels', { min: 1 });
  if (arch !== 'vgg' && channels.length !== 2) c.fail('channels', 'two integers');
  const config: ClassifierConfig = {
    imageSize: c.int('imageSize', { min: 1 }),
    inChannels: c.int('inChannels', { min: 1 }),
    numClasses: c.int('numClasses', { min: 2 }),
    channels,
    featureDim: c.int('featureDim', { min: 1 }),
  };
  if (arch !== undefined) config.arch = arch;
  if (c.has('convsPerStage')) config.convsPerStage = c.int('convsPerStage', { min: 1 });
  if (c.has('flipAverage')) config.flipAverage = c.boolean('flipAverage');
  try {
    validateClassifierConfig(config);
  } catch (e) {
    throw new CheckpointError('config', `classifierConfig is invalid: ${messageOf(e)}`);
  }
  return config;
}

function readTraining(r: JsonReader): ClassifierProvenance | undefined {
  if (!r.has('training')) return undefined;
  const t = r.object('training');
  const training: ClassifierProvenance = {
    epochs: t.int('epochs', { min: 1 }),
    steps: t.int('steps', { min: 0 }),
    batch: t.int('batch', { min: 1 }),
    learningRate: t.number('learningRate', 0),
    warmupSteps: t.int('warmupSteps', { min: 0 }),
    maxShift: t.int('maxShift', { min: 0 }),
    dropout: t.number('dropout', 0, 1),
    seed: t.int('seed'),
    trainImages: t.int('trainImages', { min: 1 }),
    wallTimeSeconds: t.number('wallTimeSeconds', 0),
  };
  if (t.has('flip')) training.flip = t.boolean('flip');
  if (t.has('timeBudgetSeconds')) training.timeBudgetSeconds = t.number('timeBudgetSeconds', 0);
  if (t.has('labelSmoothing')) training.labelSmoothing = t.number('labelSmoothing', 0, 1);
  if (t.has('calibrationImages')) {
    training.calibrationImages = t.int('calibrationImages', { min: 1 });
  }
  for (const key of ['command', 'gitCommit', 'machine'] as const) {
    const v = t.optional(key, (k) => t.string(k));
    if (v !== undefined) training[key] = v;
  }
  return training;
}

function readAccuracy(r: JsonReader, numClasses: number): MeasuredAccuracy | undefined {
  if (!r.has('testAccuracy')) return undefined;
  const a = r.object('testAccuracy');
  const perClass = a.array('perClass');
  const ok = (v: unknown) => v === null || (typeof v === 'number' && v >= 0 && v <= 1);
  if (perClass.length !== numClasses || !perClass.every(ok)) {
    a.fail('perClass', `${numClasses} numbers in [0, 1] or null`);
  }
  return {
    overall: a.number('overall', 0, 1),
    perClass: perClass as (number | null)[],
    count: a.int('count', { min: 1 }),
  };
}

/** Checks every field of a judge's model.json, weights included (names and shapes). */
export function validateClassifierManifest(json: unknown): ClassifierManifest {
  if (!isJsonObject(json)) {
    throw new CheckpointError('format', `model.json must be a JSON object, got ${show(json)}`);
  }
  const r = new JsonReader(json);
  readFormat(r);
  const classifierConfig = readConfig(r);
  const manifest: ClassifierManifest = {
    format: CLASSIFIER_FORMAT,
    formatVersion: CLASSIFIER_FORMAT_VERSION,
    classifierConfig,
    ...readLabelledFields(r, classifierConfig.numClasses, 'the judge'),
    weightsManifest: readWeightsManifest(r.raw('weightsManifest')),
  };
  const training = readTraining(r);
  if (training) manifest.training = training;
  const accuracy = readAccuracy(r, classifierConfig.numClasses);
  if (accuracy) manifest.testAccuracy = accuracy;
  const crc = readWeightsCrc32(r);
  if (crc !== undefined) manifest.weightsCrc32 = crc;
  checkWeightsMatchSpecs(weightEntries(manifest), classifierParamSpecs(classifierConfig));
  return manifest;
}
