// The judge's three files over HTTP, for the Web Worker (and anything else with fetch).
import { fetchParamsFolder } from '../checkpoint/paramsFiles';
import { REFERENCE_STATS_FILE, type RawJudge } from './types';

/**
 * Fetches model.json, weights.bin and reference-stats.json from a folder URL (e.g.
 * 'models/mnist-classifier/'); validate them with loadJudge.
 */
export async function fetchJudge(
  baseUrl: string,
  fetchFn: typeof fetch = fetch,
): Promise<RawJudge> {
  const { modelJson, weights, extras } = await fetchParamsFolder(
    baseUrl,
    [REFERENCE_STATS_FILE],
    fetchFn,
  );
  return { modelJson, weights, referenceStats: extras[0] };
}
