import { describe, expect, it } from 'vitest';
import { Classifier } from '../../model/classifier';
import { encodeClassifier } from './checkpoint';
import { fetchJudge } from './fetchStore';
import { loadJudge } from './load';
import { referenceStatsText } from './referenceStats';
import { measureOnDataset } from './testSet';
import { barsDataset, TINY_JUDGE } from './testing';

/** A fetch that serves a folder of files from memory (404 for anything else). */
function fakeFetch(files: Record<string, string | ArrayBuffer>, seen: string[]): typeof fetch {
  return async (input) => {
    const url = String(input);
    seen.push(url);
    const body = files[url];
    return body === undefined ? new Response('nope', { status: 404 }) : new Response(body);
  };
}

describe('fetchJudge', () => {
  it('fetches the three files from a folder URL, and they load', async () => {
    const model = Classifier.create(TINY_JUDGE, { seed: 6 });
    const encoded = await encodeClassifier(model, {
      classifierConfig: TINY_JUDGE,
      dataset: 'mnist',
      classNames: ['a', 'b', 'c'],
    });
    const crc = encoded.modelJson.weightsCrc32 ?? '';
    const { reference } = await measureOnDataset(model, barsDataset(12), crc);
    model.dispose();
    const seen: string[] = [];
    const fetchFn = fakeFetch(
      {
        'models/j/model.json': JSON.stringify(encoded.modelJson),
        'models/j/weights.bin': encoded.weights,
        'models/j/reference-stats.json': referenceStatsText(reference),
      },
      seen,
    );
    const judge = loadJudge(await fetchJudge('models/j', fetchFn));
    expect(seen.sort()).toEqual([
      'models/j/model.json',
      'models/j/reference-stats.json',
      'models/j/weights.bin',
    ]);
    expect(judge.manifest.weightsCrc32).toBe(crc);
    expect(judge.reference.count).toBe(12);
    judge.classifier.dispose();
  });

  it('names the file that could not be fetched', async () => {
    const fetchFn = fakeFetch({}, []);
    await expect(fetchJudge('models/none/', fetchFn)).rejects.toThrow(
      /cannot fetch models\/none\/(model|reference-stats)\.json: HTTP 404|weights\.bin: HTTP 404/,
    );
    const offline: typeof fetch = async () => {
      throw new TypeError('Failed to fetch');
    };
    await expect(fetchJudge('m', offline)).rejects.toThrow(/cannot fetch m\/.*: Failed to fetch/);
  });
});
