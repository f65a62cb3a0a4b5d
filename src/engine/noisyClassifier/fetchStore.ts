// The noisy classifier's two files over HTTP, for the Web Worker (decodeNoisyClassifier validates).
import { CheckpointError, messageOf } from '../checkpoint/errors';
import { parseModelJson } from '../checkpoint/pack';
import { MODEL_JSON_FILE, WEIGHTS_FILE } from '../checkpoint/types';

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

/** Fetches model.json and weights.bin from a folder URL (e.g. 'models/mnist-noisy-classifier/'). */
export async function fetchNoisyClassifier(
  baseUrl: string,
  fetchFn: typeof fetch = fetch,
): Promise<{ modelJson: unknown; weights: ArrayBuffer }> {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  const [modelJson, weights] = await Promise.all([
    get(base + MODEL_JSON_FILE, fetchFn).then(async (r) =>
      parseModelJson(await r.text(), base + MODEL_JSON_FILE),
    ),
    get(base + WEIGHTS_FILE, fetchFn).then((r) => r.arrayBuffer()),
  ]);
  return { modelJson, weights };
}
