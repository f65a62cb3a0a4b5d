// The judge's three files over HTTP, for the Web Worker (and anything else with fetch).
import { CheckpointError, messageOf } from '../checkpoint/errors';
import { parseModelJson } from '../checkpoint/pack';
import { MODEL_JSON_FILE, WEIGHTS_FILE } from '../checkpoint/types';
import { REFERENCE_STATS_FILE, type RawJudge } from './types';

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
 * Fetches model.json, weights.bin and reference-stats.json from a folder URL (e.g.
 * 'models/mnist-classifier/'); validate them with loadJudge.
 */
export async function fetchJudge(
  baseUrl: string,
  fetchFn: typeof fetch = fetch,
): Promise<RawJudge> {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  const json = async (name: string) =>
    parseModelJson(await (await get(base + name, fetchFn)).text(), base + name);
  const [modelJson, weights, referenceStats] = await Promise.all([
    json(MODEL_JSON_FILE),
    get(base + WEIGHTS_FILE, fetchFn).then((r) => r.arrayBuffer()),
    json(REFERENCE_STATS_FILE),
  ]);
  return { modelJson, weights, referenceStats };
}
