// model.json + weights.bin for any model that is a plain map of parameters (the judge and the
// noise-aware classifier): the U-Net checkpoint's weight encoding, CRC-32 and NaN/Inf checks,
// with the model's own manifest validator. Decoding validates on plain arrays before any tensor.
import * as tf from '@tensorflow/tfjs';
import { disposeParams, type ParamSpec, type Params } from '../../model/params';
import { crc32Hex } from './crc32';
import { CheckpointError, messageOf } from './errors';
import { parseModelJson } from './pack';
import { encodeWeights } from './serialize';
import {
  MODEL_JSON_FILE,
  WEIGHTS_FILE,
  type CheckpointWeightEntry,
  type CheckpointWeightsGroup,
} from './types';
import { weightEntries } from './weightsManifest';

interface WeightsManifestFields {
  weightsManifest: CheckpointWeightsGroup[];
  weightsCrc32?: string;
}

/**
 * Reads every parameter (`await data()`) into model.json + weights.bin (float32): `fields` plus
 * the weights manifest, checked by `validate`, which returns the typed manifest.
 */
export async function encodeParamsFiles<M extends WeightsManifestFields>(
  params: Params,
  fields: Record<string, unknown>,
  validate: (json: unknown) => M,
): Promise<{ modelJson: M; weights: ArrayBuffer }> {
  const weights: CheckpointWeightEntry[] = [...params].map(([name, v]) => ({
    name,
    shape: [...v.shape],
    dtype: 'float32',
  }));
  const manifest = validate({ ...fields, weightsManifest: [{ paths: [WEIGHTS_FILE], weights }] });
  const out = await encodeWeights(params, weightEntries(manifest));
  manifest.weightsCrc32 = crc32Hex(out);
  return { modelJson: manifest, weights: out.buffer };
}

/** Non-trainable variables holding decoded weights, in spec order; `what` names the model. */
export function paramsFromDecoded(
  specs: readonly ParamSpec[],
  values: ReadonlyMap<string, Float32Array>,
  what: string,
): Params {
  const params: Params = new Map();
  try {
    for (const { name, shape } of specs) {
      const v = values.get(name);
      if (!v) throw new Error(`internal: decoded ${what} lacks weight ${name}`);
      params.set(
        name,
        tf.tidy(() => tf.variable(tf.tensor(v, shape, 'float32'), false)),
      );
    }
  } catch (e) {
    disposeParams(params);
    throw e;
  }
  return params;
}

async function get(url: string, fetchFn: typeof fetch): Promise<Response> {
  let res: Response;
  try {
    res = await fetchFn(url);
  } catch (e) {
    throw new CheckpointError('io', `cannot fetch ${url}: ${messageOf(e)}`, { cause: e });
  }
  if (!res.ok) throw new CheckpointError('io', `cannot fetch ${url}: HTTP ${res.status}`);
  return res;
}

/**
 * Fetches model.json, weights.bin and the named extra JSON files from a folder URL (e.g.
 * 'models/mnist-classifier/'), not yet validated.
 */
export async function fetchParamsFolder(
  baseUrl: string,
  extraJson: readonly string[],
  fetchFn: typeof fetch,
): Promise<{ modelJson: unknown; weights: ArrayBuffer; extras: unknown[] }> {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  const json = async (name: string) =>
    parseModelJson(await (await get(base + name, fetchFn)).text(), base + name);
  const [modelJson, weights, ...extras] = await Promise.all([
    json(MODEL_JSON_FILE),
    get(base + WEIGHTS_FILE, fetchFn).then((r) => r.arrayBuffer()),
    ...extraJson.map(json),
  ]);
  return { modelJson, weights: weights as ArrayBuffer, extras };
}
