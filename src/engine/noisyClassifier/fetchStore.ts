// The noisy classifier's two files over HTTP, for the Web Worker (decodeNoisyClassifier validates).
import { fetchParamsFolder } from '../checkpoint/paramsFiles';

/** Fetches model.json and weights.bin from a folder URL (e.g. 'models/mnist-noisy-classifier/'). */
export async function fetchNoisyClassifier(
  baseUrl: string,
  fetchFn: typeof fetch = fetch,
): Promise<{ modelJson: unknown; weights: ArrayBuffer }> {
  const { modelJson, weights } = await fetchParamsFolder(baseUrl, [], fetchFn);
  return { modelJson, weights };
}
