import { describe, expect, it } from 'vitest';
import { DEFAULT_LATENT, validateLatentSettings } from './latentStore';
import { formatLatentHash, parseLatentHash } from './latentUrl';
import { latentChannels } from './latentPixels';

describe('latent view link keys', () => {
  it('round-trips the settings and writes only what differs from the defaults', () => {
    const s = { ...DEFAULT_LATENT, guidance: 2.5, steps: 10, t: 300, alpha: 0.25 };
    const text = formatLatentHash(s);
    expect(text).toBe('ldguid=2.5&ldsteps=10&ldt=300&ldalpha=0.25');
    expect(parseLatentHash(`#${text}`)).toEqual({
      state: { guidance: 2.5, steps: 10, t: 300, alpha: 0.25 },
      problems: [],
    });
    expect(formatLatentHash(DEFAULT_LATENT)).toBe('');
  });

  it('rejects tampered values with a clear note and keeps the other keys', () => {
    const { state, problems } = parseLatentHash(
      '#ldsteps=1e9&ldguid=-1&ldclass=4&ldalpha=NaN&ldseed=%3Cscript%3E&ldt=999',
    );
    expect(state).toEqual({ classIndex: 4, t: 999 });
    expect(problems).toEqual([
      'ldguid="-1" is not a number; ignored',
      'ldsteps="1e9" is not a whole number; ignored',
      'ldseed="<script>" is not a whole number; ignored',
      'ldalpha="NaN" is not a number; ignored',
    ]);
    expect(parseLatentHash('#ldt=1000').problems).toEqual([
      'ldt="1000" is outside 0..999; ignored',
    ]);
  });

  it('clamps every way into the store', () => {
    const v = validateLatentSettings(
      { steps: 1, guidance: 99, alpha: -2, classIndex: 3.6 },
      DEFAULT_LATENT,
    );
    expect(v).toMatchObject({ steps: 2, guidance: 10, alpha: 0, classIndex: 4 });
    expect(validateLatentSettings({ t: Number.NaN }, DEFAULT_LATENT).t).toBe(DEFAULT_LATENT.t);
  });
});

describe('latentChannels', () => {
  it('splits an NHWC latent into one h×w image per channel', () => {
    // 2 latents of 1×2×3: values 100·b + 10·pixel + channel.
    const z = Float32Array.from({ length: 12 }, (_, i) => {
      const b = Math.floor(i / 6);
      const p = Math.floor((i % 6) / 3);
      return 100 * b + 10 * p + (i % 3);
    });
    expect(Array.from(latentChannels(z, 1, [1, 2, 3]))).toEqual([100, 110, 101, 111, 102, 112]);
    expect(() => latentChannels(z, 2, [1, 2, 3])).toThrow(/outside the batch/);
  });
});
