// Fetches a latent diffusion folder (latent.json, autoencoder/, unet/) over HTTP for the worker;
// every failure names the file and says what went wrong. Validation is decodeLatentModel's.
import { CheckpointError, messageOf } from '../checkpoint/errors';
import { parseModelJson } from '../checkpoint/pack';
import { MODEL_JSON_FILE, WEIGHTS_FILE } from '../checkpoint/types';
import { LATENT_INDEX_FILE, validateLatentIndex } from './latentIndex';
import type { RawLatentFiles } from './latentModel';

export const PRETRAINED_LATENT = 'mnist-latent';

export type FetchLike = (
  url: string,
) => Promise<Pick<Response, 'ok' | 'status' | 'text' | 'arrayBuffer'>>;

async function get<T>(
  fetchFn: FetchLike,
  url: string,
  name: string,
  read: (r: Pick<Response, 'text' | 'arrayBuffer'>) => Promise<T>,
): Promise<T> {
  let r;
  try {
    r = await fetchFn(url);
  } catch (e) {
    throw new CheckpointError('io', `could not download ${name} (${url}): ${messageOf(e)}`);
  }
  if (!r.ok)
    throw new CheckpointError('io', `could not download ${name} (${url}): HTTP ${r.status}`);
  return read(r);
}

async function json(fetchFn: FetchLike, url: string, name: string): Promise<unknown> {
  const text = await get(fetchFn, url, name, (r) => r.text());
  if (/^\s*</.test(text)) {
    throw new CheckpointError(
      'io',
      `could not download ${name} (${url}): the server sent a web page`,
    );
  }
  return parseModelJson(text, name);
}

/** The three parts of `${baseUrl}${folder}/`, not yet validated beyond latent.json. */
export async function fetchLatentFiles(
  baseUrl: string,
  folder: string = PRETRAINED_LATENT,
  fetchFn: FetchLike = (url) => fetch(url),
): Promise<RawLatentFiles> {
  const root = new URL(`${folder}/`, baseUrl);
  const indexJson = await json(
    fetchFn,
    new URL(LATENT_INDEX_FILE, root).href,
    `${folder}/${LATENT_INDEX_FILE}`,
  );
  const index = validateLatentIndex(indexJson);
  const part = async (sub: string) => {
    const dir = new URL(`${sub}/`, root);
    const [modelJson, weights] = await Promise.all([
      json(fetchFn, new URL(MODEL_JSON_FILE, dir).href, `${folder}/${sub}/${MODEL_JSON_FILE}`),
      get(fetchFn, new URL(WEIGHTS_FILE, dir).href, `${folder}/${sub}/${WEIGHTS_FILE}`, (r) =>
        r.arrayBuffer(),
      ),
    ]);
    return { modelJson, weights };
  };
  const [autoencoder, unet] = await Promise.all([part(index.autoencoder), part(index.unet)]);
  return { index: indexJson, autoencoder, unet };
}
