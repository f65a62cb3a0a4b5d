import { describe, expect, it } from 'vitest';
import { DataError } from './errors';
import { decodeShard, validateManifest, type Manifest } from './format';

function goodManifest(): Manifest {
  return {
    formatVersion: 1,
    name: 'mnist',
    height: 2,
    width: 2,
    channels: 1,
    classNames: ['a', 'b', 'c'],
    splits: {
      train: {
        count: 3,
        shards: [
          { file: 'train-0.bin.gz', count: 2, sha256: 'ab'.repeat(32) },
          { file: 'train-1.bin.gz', count: 1 },
        ],
      },
      test: { count: 1, shards: [{ file: 'test-0.bin.gz', count: 1 }] },
    },
  };
}

/** Expects fn to throw a DataError naming the file and the fix, with `text` in it. */
function expectDataError(fn: () => unknown, text: string | RegExp, file = 'manifest.json') {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(DataError);
  const e = error as DataError;
  expect(e.message).toMatch(text);
  expect(e.message).toContain(file);
  expect(e.message).toContain('npm run prepare-data');
  expect(e.fix).toBe('npm run prepare-data');
}

describe('validateManifest', () => {
  it('accepts a good manifest and drops unknown fields', () => {
    const m = { ...goodManifest(), extra: 1 };
    expect(validateManifest(m)).toEqual(goodManifest());
  });

  const broken: [string, (m: Record<string, unknown> & Manifest) => void, RegExp][] = [
    [
      'wrong formatVersion',
      (m) => ((m as { formatVersion: number }).formatVersion = 2),
      /formatVersion is 2/,
    ],
    ['unknown name', (m) => ((m as { name: string }).name = 'svhn'), /name must be one of/],
    ['missing height', (m) => delete (m as Partial<Manifest>).height, /height must be a positive/],
    ['zero width', (m) => (m.width = 0), /width must be a positive integer/],
    ['fractional channels', (m) => (m.channels = 1.5), /channels must be a positive/],
    ['too many channels', (m) => (m.channels = 5), /channels must be 1 to 4/],
    ['one class', (m) => (m.classNames = ['x']), /classNames must be an array/],
    ['empty class name', (m) => (m.classNames = ['x', '']), /non-empty strings/],
    [
      'missing test split',
      (m) => delete (m.splits as Partial<Manifest['splits']>).test,
      /splits.test is missing/,
    ],
    ['no shards', (m) => (m.splits.train.shards = []), /shards must be a non-empty array/],
    ['count mismatch', (m) => (m.splits.train.count = 4), /count is 4 but its shards hold 3/],
    ['negative shard count', (m) => (m.splits.test.shards[0].count = -1), /shards\[0\]\.count/],
    ['oversized shard', (m) => (m.splits.test.shards[0].count = 10_001), /exceeds 10000/],
    ['path in file', (m) => (m.splits.test.shards[0].file = '../x.bin.gz'), /plain file name/],
    ['bad sha256', (m) => (m.splits.test.shards[0].sha256 = 'xyz'), /sha256 must be 64/],
  ];
  it.each(broken)('rejects %s', (_, mutate, text) => {
    const m = goodManifest() as Record<string, unknown> & Manifest;
    mutate(m);
    expectDataError(() => validateManifest(m), text);
  });

  it('rejects non-objects and names the given file', () => {
    expectDataError(() => validateManifest([]), /expected a JSON object/);
    expectDataError(
      () => validateManifest(null, 'x/manifest.json'),
      /JSON object/,
      'x/manifest.json',
    );
  });
});

describe('decodeShard', () => {
  // 2 images of 3 bytes, then 2 labels.
  const shard = Uint8Array.from([1, 2, 3, 4, 5, 6, 1, 0]);

  it('splits pixels and labels', () => {
    const { images, labels } = decodeShard(shard, 2, 3, 2, 'train-0.bin.gz');
    expect(Array.from(images)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(labels)).toEqual([1, 0]);
  });

  it('rejects a truncated or over-long shard', () => {
    expectDataError(
      () => decodeShard(shard.subarray(0, 7), 2, 3, 2, 's.gz'),
      /truncated: 7 bytes, expected 8/,
      's.gz',
    );
    expectDataError(() => decodeShard(shard, 1, 3, 2, 's.gz'), /too long/, 's.gz');
  });

  it('rejects a label outside the classes', () => {
    expectDataError(
      () => decodeShard(shard, 2, 3, 1, 's.gz'),
      /label 1 of image 0 is out of range/,
      's.gz',
    );
  });
});
