// The judge's reference statistics: the Gaussian (μ, Σ) of its features over real images, the
// "real" side of the Fréchet distance (Heusel et al. 2017), and the per-class mean pairwise
// feature distance of real images, the denominator of the diversity ratio. Computed once when
// the judge is trained and stored beside it in reference-stats.json.
import type { DatasetName } from '../../model/presets';
import { featureStats, type FeatureStats } from '../../metrics/featureStats';
import { perClassPairwiseDistance } from '../../metrics/diversity';
import { CheckpointError } from '../checkpoint/errors';
import { isJsonObject, show, type JsonObject } from '../checkpoint/jsonReader';
import type { JudgeOutputs } from './outputs';
import {
  REFERENCE_STATS_FILE,
  REFERENCE_STATS_FORMAT,
  REFERENCE_STATS_FORMAT_VERSION,
  type ClassifierManifest,
  type ReferenceStats,
} from './types';

export interface ReferenceSource {
  dataset: DatasetName;
  split: 'train' | 'test';
  /** weightsCrc32 of the judge. */
  judgeWeightsCrc32: string;
}

/** The statistics of given judge outputs on labelled real images. */
export function referenceStatsFrom(
  outputs: Pick<JudgeOutputs, 'n' | 'features'>,
  labels: ArrayLike<number>,
  numClasses: number,
  source: ReferenceSource,
): ReferenceStats {
  const { n, features } = outputs;
  const d = features.length / n;
  const stats = featureStats(features, n, d);
  if (labels.length < n) throw new RangeError(`${labels.length} labels for ${n} images`);
  const firstLabels = Array.from({ length: n }, (_, i) => labels[i]);
  const perClassCount = new Array<number>(numClasses).fill(0);
  for (const y of firstLabels) perClassCount[y]++;
  return {
    format: REFERENCE_STATS_FORMAT,
    formatVersion: REFERENCE_STATS_FORMAT_VERSION,
    ...source,
    count: n,
    featureDim: d,
    numClasses,
    mean: Array.from(stats.mean),
    cov: Array.from({ length: d }, (_, i) => Array.from(stats.cov.subarray(i * d, (i + 1) * d))),
    perClassPairwiseDistance: perClassPairwiseDistance(features, d, firstLabels, numClasses),
    perClassCount,
  };
}

/** The stats as the metrics take them (flat float64). */
export function referenceGaussian(stats: ReferenceStats): FeatureStats {
  const d = stats.featureDim;
  const cov = new Float64Array(d * d);
  stats.cov.forEach((row, i) => cov.set(row, i * d));
  return { n: stats.count, d, mean: Float64Array.from(stats.mean), cov };
}

/** reference-stats.json text: one line per covariance row, so that it stays readable. */
export function referenceStatsText(stats: ReferenceStats): string {
  const { mean, cov, perClassPairwiseDistance, perClassCount, ...head } = stats;
  const lines = Object.entries(head).map(
    ([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`,
  );
  lines.push(`  "perClassCount": ${JSON.stringify(perClassCount)}`);
  lines.push(`  "perClassPairwiseDistance": ${JSON.stringify(perClassPairwiseDistance)}`);
  lines.push(`  "mean": ${JSON.stringify(mean)}`);
  lines.push(`  "cov": [\n${cov.map((row) => `    ${JSON.stringify(row)}`).join(',\n')}\n  ]`);
  return `{\n${lines.join(',\n')}\n}\n`;
}

function fail(message: string): never {
  throw new CheckpointError('format', `${REFERENCE_STATS_FILE}: ${message}`);
}

function finiteArray(v: unknown, length: number, what: string): number[] {
  if (!Array.isArray(v) || v.length !== length) {
    fail(`${what} must be an array of ${length} numbers, got ${show(v)}`);
  }
  v.forEach((x, i) => {
    if (typeof x !== 'number' || !Number.isFinite(x)) {
      throw new CheckpointError(
        'nan',
        `${REFERENCE_STATS_FILE}: ${what}[${i}] must be a finite number, got ${show(x)}`,
      );
    }
  });
  return v as number[];
}

function field(json: JsonObject, key: string): unknown {
  if (json[key] === undefined) fail(`missing field '${key}'`);
  return json[key];
}

function intField(json: JsonObject, key: string, min: number): number {
  const v = field(json, key);
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
    fail(`field '${key}' must be an integer >= ${min}, got ${show(v)}`);
  }
  return v;
}

/**
 * Checks a parsed reference-stats.json, and that it belongs to the judge `manifest` describes:
 * same data set, feature width and classes, same weights (CRC-32).
 */
export function validateReferenceStats(
  json: unknown,
  manifest: ClassifierManifest,
): ReferenceStats {
  if (!isJsonObject(json)) fail(`must be a JSON object, got ${show(json)}`);
  if (json.format !== REFERENCE_STATS_FORMAT) {
    fail(`format is ${show(json.format)}, expected "${REFERENCE_STATS_FORMAT}"`);
  }
  if (json.formatVersion !== REFERENCE_STATS_FORMAT_VERSION) {
    throw new CheckpointError(
      'version',
      `${REFERENCE_STATS_FILE}: formatVersion ${show(json.formatVersion)} is not supported ` +
        `(this app reads version ${REFERENCE_STATS_FORMAT_VERSION})`,
    );
  }
  const { featureDim: d, numClasses: k } = manifest.classifierConfig;
  const featureDim = intField(json, 'featureDim', 1);
  const numClasses = intField(json, 'numClasses', 2);
  const dataset = field(json, 'dataset');
  if (featureDim !== d || numClasses !== k || dataset !== manifest.dataset) {
    throw new CheckpointError(
      'mismatch',
      `${REFERENCE_STATS_FILE} describes ${show(dataset)} with ${featureDim} features and ` +
        `${numClasses} classes; the judge is for "${manifest.dataset}" with ${d} and ${k}`,
    );
  }
  const judgeWeightsCrc32 = field(json, 'judgeWeightsCrc32');
  if (typeof judgeWeightsCrc32 !== 'string') fail('judgeWeightsCrc32 must be a string');
  if (manifest.weightsCrc32 !== undefined && judgeWeightsCrc32 !== manifest.weightsCrc32) {
    throw new CheckpointError(
      'mismatch',
      `${REFERENCE_STATS_FILE} was computed with another judge (weights CRC-32 ${judgeWeightsCrc32}, ` +
        `this judge's is ${manifest.weightsCrc32})`,
    );
  }
  const split = field(json, 'split');
  if (split !== 'train' && split !== 'test')
    fail(`split must be "train" or "test", got ${show(split)}`);
  const count = intField(json, 'count', 2);
  const cov = field(json, 'cov');
  if (!Array.isArray(cov) || cov.length !== d) fail(`cov must be ${d} rows of ${d} numbers`);
  const rows = cov.map((row, i) => finiteArray(row, d, `cov[${i}]`));
  for (let i = 0; i < d; i++) {
    if (rows[i][i] < 0) fail(`cov[${i}][${i}] is a negative variance (${rows[i][i]})`);
    for (let j = 0; j < i; j++) {
      const tol = 1e-9 * (Math.abs(rows[i][j]) + 1);
      if (Math.abs(rows[i][j] - rows[j][i]) > tol) fail(`cov is not symmetric at [${i}][${j}]`);
    }
  }
  const distances = field(json, 'perClassPairwiseDistance');
  const okDistance = (v: unknown) =>
    v === null || (typeof v === 'number' && v >= 0 && Number.isFinite(v));
  if (!Array.isArray(distances) || distances.length !== k || !distances.every(okDistance)) {
    fail(`perClassPairwiseDistance must be ${k} non-negative numbers or nulls`);
  }
  const perClassCount = field(json, 'perClassCount');
  const okCount = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  if (
    !Array.isArray(perClassCount) ||
    perClassCount.length !== k ||
    !perClassCount.every(okCount)
  ) {
    fail(`perClassCount must be ${k} non-negative integers`);
  }
  return {
    format: REFERENCE_STATS_FORMAT,
    formatVersion: REFERENCE_STATS_FORMAT_VERSION,
    dataset: manifest.dataset,
    split,
    count,
    featureDim,
    numClasses,
    judgeWeightsCrc32,
    mean: finiteArray(field(json, 'mean'), d, 'mean'),
    cov: rows,
    perClassPairwiseDistance: distances as (number | null)[],
    perClassCount: perClassCount as number[],
  };
}
