// The pretrained checkpoints shipped with the site (models/<name>/model.json + weights.bin,
// served beside the page): their names, where they are, and fetching both files with messages
// that say which file failed and why. Validation is the checkpoint code's job (decodeCheckpoint),
// exactly as for an uploaded checkpoint.
import { CheckpointError, MODEL_JSON_FILE, WEIGHTS_FILE, parseModelJson } from '../checkpoint';
import type { RawCheckpoint } from '../checkpoint';
import type { DatasetName } from './modelSlot';

export const PRETRAINED_NAMES = ['mnist-cfg', 'cifar10-cfg'] as const;
export type PretrainedName = (typeof PRETRAINED_NAMES)[number];

/** The pretrained model of each data set (class-conditional, trained with label dropout). */
export const PRETRAINED_FOR: Readonly<Record<DatasetName, PretrainedName>> = {
  mnist: 'mnist-cfg',
  cifar10: 'cifar10-cfg',
};

const TITLES: Readonly<Record<PretrainedName, string>> = {
  'mnist-cfg': 'MNIST',
  'cifar10-cfg': 'CIFAR-10',
};

export function isPretrainedName(value: unknown): value is PretrainedName {
  return PRETRAINED_NAMES.some((n) => n === value);
}

/** What the UI calls the model, e.g. "Pretrained MNIST model". */
export function pretrainedLabel(name: PretrainedName): string {
  return `Pretrained ${TITLES[name]} model`;
}

/** The two files' URLs; `baseUrl` is the folder that holds the model folders (ends with '/'). */
export function pretrainedUrls(
  baseUrl: string,
  name: PretrainedName,
): { modelJson: string; weights: string } {
  const folder = new URL(`${name}/`, baseUrl);
  return {
    modelJson: new URL(MODEL_JSON_FILE, folder).href,
    weights: new URL(WEIGHTS_FILE, folder).href,
  };
}

export type FetchLike = (
  url: string,
) => Promise<Pick<Response, 'ok' | 'status' | 'statusText' | 'arrayBuffer' | 'text'>>;

async function download<T>(
  fetchFn: FetchLike,
  url: string,
  what: string,
  read: (r: Awaited<ReturnType<FetchLike>>) => Promise<T>,
): Promise<T> {
  let response: Awaited<ReturnType<FetchLike>>;
  try {
    response = await fetchFn(url);
  } catch (e) {
    throw new CheckpointError('io', `could not download ${what} (${url}): ${String(e)}`, {
      cause: e,
    });
  }
  if (!response.ok) {
    const status = `${response.status} ${response.statusText}`.trim();
    throw new CheckpointError(
      'io',
      `could not download ${what} (${url}): the server answered ${status}`,
    );
  }
  try {
    return await read(response);
  } catch (e) {
    throw new CheckpointError('io', `the download of ${what} (${url}) broke off: ${String(e)}`, {
      cause: e,
    });
  }
}

/**
 * Fetches both files at once (they are independent) and parses model.json. Throws a
 * CheckpointError naming the file: 'io' when it cannot be downloaded, 'format' when it is not JSON.
 */
export async function fetchPretrained(
  baseUrl: string,
  name: PretrainedName,
  fetchFn: FetchLike = (url) => fetch(url),
): Promise<RawCheckpoint> {
  const urls = pretrainedUrls(baseUrl, name);
  const [jsonText, weights] = await Promise.all([
    download(fetchFn, urls.modelJson, `${name}/${MODEL_JSON_FILE}`, (r) => r.text()),
    download(fetchFn, urls.weights, `${name}/${WEIGHTS_FILE}`, (r) => r.arrayBuffer()),
  ]);
  // A host's "page not found" fallback may answer 200 with the site's index.html.
  if (/^\s*</.test(jsonText)) {
    throw new CheckpointError(
      'io',
      `could not download ${name}/${MODEL_JSON_FILE} (${urls.modelJson}): the server sent a web ` +
        'page instead (is the file missing?)',
    );
  }
  return { modelJson: parseModelJson(jsonText, `${name}/${MODEL_JSON_FILE}`), weights };
}
