// The one seeded-random module: derivation, hash and PRNG, and that no copy of them lives elsewhere.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  deriveSeed,
  fmix32,
  fnv1a,
  hashSeed,
  mulberry32,
  mulberry32Uint32,
  STREAM,
} from './seeded';

const srcDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [full] : [];
  });
}

describe('deriveSeed', () => {
  it('gives distinct uint32 seeds in [1, 2^32) per purpose, index and seed, 0 and negatives included', () => {
    const seeds = new Set<number>();
    const users = [0, 1, 2, -1, 2 ** 32, 2 ** 32 + 1, Number.MAX_SAFE_INTEGER];
    for (const seed of users) {
      for (const purpose of Object.values(STREAM)) {
        for (let index = 0; index < 20; index++) {
          const d = deriveSeed(seed, purpose, index);
          expect(Number.isInteger(d) && d >= 1 && d < 2 ** 32).toBe(true);
          seeds.add(d);
        }
      }
    }
    expect(seeds.size).toBe(users.length * Object.keys(STREAM).length * 20);
    expect(deriveSeed(5, STREAM.sampling, 3)).toBe(deriveSeed(5, STREAM.sampling, 3));
    expect(deriveSeed(0, STREAM.forward)).toBe(deriveSeed(0, STREAM.forward, 0));
  });

  it('the purposes are distinct numbers', () => {
    const values = Object.values(STREAM);
    expect(new Set(values).size).toBe(values.length);
  });
});

describe('hashes', () => {
  it('FNV-1a matches its published test vectors; hashSeed is never 0', () => {
    // From the FNV reference (isthe.com/chongo/tech/comp/fnv): FNV-1a 32 of "" and "a".
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(fnv1a('foobar')).toBe(0xbf9cf968);
    expect(hashSeed('a')).toBe(0xe40c292c);
  });

  it('fmix32 is murmur3`s finaliser: 0 ↦ 0, and a bijection on a sample', () => {
    expect(fmix32(0)).toBe(0);
    const out = new Set<number>();
    for (let i = 0; i < 5000; i++) out.add(fmix32(i));
    expect(out.size).toBe(5000);
  });
});

describe('mulberry32', () => {
  it('is deterministic, in [0, 1), and uniform within 5 standard errors (seed 7, 20 000 draws)', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const n = 20_000;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const u = a();
      expect(u).toBe(b());
      expect(u >= 0 && u < 1).toBe(true);
      sum += u;
    }
    // Uniform on [0, 1): mean 1/2, standard deviation √(1/12).
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
    const u32 = mulberry32Uint32(7);
    expect(u32() / 2 ** 32).toBe(mulberry32(7)());
  });
});

describe('one module', () => {
  it('no other source file carries its own copy of the hash, the finaliser or the PRNG', () => {
    const own = path.join(srcDir, 'random', 'seeded.ts');
    // The constants of murmur3's finaliser, FNV-1a and mulberry32, and the old ad-hoc chainSeed.
    const markers = [/0x85ebca6b/i, /0x811c9dc5/i, /0x6d2b79f5/i, /1_000_003/];
    const copies = sourceFiles(srcDir)
      .filter((f) => f !== own)
      .filter((f) => markers.some((m) => m.test(readFileSync(f, 'utf8'))))
      .map((f) => path.relative(srcDir, f));
    expect(copies).toEqual([]);
  });
});
