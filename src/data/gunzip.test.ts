import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DataError } from './errors';
import { gunzip, isGzip } from './gunzip';

describe('gunzip', () => {
  const raw = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 7) % 251);
  const gz = new Uint8Array(gzipSync(raw));

  it('round-trips gzip data', async () => {
    expect(isGzip(gz)).toBe(true);
    expect(isGzip(raw)).toBe(false);
    expect(await gunzip(gz)).toEqual(raw);
  });

  it('reports corrupt data as a DataError naming the file', async () => {
    const bad = gz.slice();
    bad.fill(0xff, 20, 60);
    const p = gunzip(bad, 'mnist/train-0.bin.gz');
    await expect(p).rejects.toBeInstanceOf(DataError);
    await expect(p).rejects.toThrow(
      /corrupt or truncated gzip data in mnist\/train-0\.bin\.gz.*npm run prepare-data/,
    );
  });

  it('reports truncated data', async () => {
    await expect(gunzip(gz.subarray(0, gz.length - 100), 'f.gz')).rejects.toThrow(/truncated/);
  });

  it('reports non-gzip data', async () => {
    await expect(gunzip(raw, 'f.gz')).rejects.toBeInstanceOf(DataError);
  });
});
