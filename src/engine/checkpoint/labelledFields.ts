// The model.json fields both small classifiers' files carry beside their own config (the judge,
// engine/judge/manifest.ts; the noise-aware classifier, engine/noisyClassifier/manifest.ts).
import { DATASETS, type DatasetName } from '../../model/presets';
import { CheckpointError } from './errors';
import type { JsonReader } from './jsonReader';

export interface LabelledFields {
  dataset: DatasetName;
  classNames: string[];
  createdAt: string;
}

/** dataset, classNames (numClasses of them) and createdAt; `what` names the model in errors. */
export function readLabelledFields(
  r: JsonReader,
  numClasses: number,
  what: string,
): LabelledFields {
  const dataset = r.raw('dataset');
  if (!DATASETS.includes(dataset as DatasetName)) {
    r.fail('dataset', `one of ${DATASETS.map((d) => `"${d}"`).join(', ')}`);
  }
  const classNames = r.stringArray('classNames');
  if (classNames.length !== numClasses) {
    throw new CheckpointError(
      'config',
      `${what} has ${classNames.length} classNames but numClasses is ${numClasses}`,
    );
  }
  const createdAt = r.string('createdAt');
  if (Number.isNaN(Date.parse(createdAt))) r.fail('createdAt', 'an ISO 8601 date');
  return { dataset: dataset as DatasetName, classNames, createdAt };
}

/** The optional weightsCrc32: 8 lowercase hex digits. */
export function readWeightsCrc32(r: JsonReader): string | undefined {
  const crc = r.optional('weightsCrc32', (k) => r.string(k));
  if (crc !== undefined && !/^[0-9a-f]{8}$/.test(crc)) {
    r.fail('weightsCrc32', '8 lowercase hex digits');
  }
  return crc;
}
