// Fetches a cascade served beside the page (models/mnist-cascade/{base,sr,sr-noaug}/), each stage's
// model.json, weights.bin and stage.json, with messages naming the file that failed. Validation is
// the checkpoint code's (decodeCheckpoint) and stage.ts's, exactly as for the CLI.
import { decodeCheckpoint, MODEL_JSON_FILE, parseModelJson, WEIGHTS_FILE } from '../checkpoint';
import { assembleCascade, type Cascade, type DecodedStage } from './cascade';
import { CASCADE_DIRS, CascadeError, STAGE_FILE, validateStageInfo } from './stage';

export const PRETRAINED_CASCADE = 'mnist-cascade';

type Fetch = (url: string) => Promise<Response>;

async function get(fetchFn: Fetch, url: string, what: string): Promise<Response> {
  let r: Response;
  try {
    r = await fetchFn(url);
  } catch (e) {
    throw new CascadeError(`could not download ${what} (${url}): ${String(e)}`);
  }
  if (!r.ok) {
    throw new CascadeError(`could not download ${what} (${url}): the server answered ${r.status}`);
  }
  return r;
}

async function fetchStage(fetchFn: Fetch, folder: URL, name: string): Promise<DecodedStage> {
  const url = (f: string) => new URL(f, folder).href;
  const [jsonText, weights, stageText] = await Promise.all([
    get(fetchFn, url(MODEL_JSON_FILE), `${name}/${MODEL_JSON_FILE}`).then((r) => r.text()),
    get(fetchFn, url(WEIGHTS_FILE), `${name}/${WEIGHTS_FILE}`).then((r) => r.arrayBuffer()),
    get(fetchFn, url(STAGE_FILE), `${name}/${STAGE_FILE}`).then((r) => r.text()),
  ]);
  let stageJson: unknown;
  try {
    stageJson = JSON.parse(stageText);
  } catch {
    throw new CascadeError(`${name}/${STAGE_FILE} is not JSON (is the file missing?)`);
  }
  const info = validateStageInfo(stageJson, `${name}/${STAGE_FILE}`);
  const modelJson = parseModelJson(jsonText, `${name}/${MODEL_JSON_FILE}`);
  return { decoded: await decodeCheckpoint(modelJson, weights), info };
}

/** `baseUrl`: the folder holding the model folders, ending in '/'. */
export async function fetchCascade(
  baseUrl: string,
  name = PRETRAINED_CASCADE,
  fetchFn: Fetch = (url) => fetch(url),
): Promise<Cascade> {
  const root = new URL(`${name}/`, baseUrl);
  const stage = (dir: string) => fetchStage(fetchFn, new URL(`${dir}/`, root), `${name}/${dir}`);
  const [base, sr, srNoAug] = await Promise.all([
    stage(CASCADE_DIRS.base),
    stage(CASCADE_DIRS.sr),
    stage(CASCADE_DIRS.srNoAug),
  ]);
  return assembleCascade(base, sr, srNoAug);
}
