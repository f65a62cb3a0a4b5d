// Seeded randomness for training. Every random draw of step s comes from a stream derived from
// (seed, s, purpose) rather than from one running generator, so a run resumed at step s draws
// exactly what an uninterrupted run would have drawn (batch indices, t, noise, label dropout,
// flips, dropout masks).

/** murmur3's 32-bit finaliser: a bijective mix, so nearby inputs give unrelated outputs. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Purposes of the per-step streams (part of the derivation, so they never collide). */
export const STREAM = {
  batch: 1,
  noise: 2,
  dropout: 3,
  epoch: 4,
} as const;

/**
 * A uint32 seed, never 0 (tfjs treats 0 as "unseeded"), for one (purpose, index) of a run seed.
 * `seed` may be any safe integer.
 */
export function deriveSeed(seed: number, purpose: number, index: number): number {
  let h = fmix32((seed >>> 0) ^ 0x9e3779b9);
  h = fmix32(h ^ (Math.floor(seed / 2 ** 32) >>> 0));
  h = fmix32(h ^ Math.imul(purpose + 1, 0x27d4eb2f));
  h = fmix32(h ^ (index >>> 0));
  h = fmix32(h ^ (Math.floor(index / 2 ** 32) >>> 0));
  return h === 0 ? 1 : h;
}

/** mulberry32: a small, fast generator of uniform floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A uniform integer in [0, n). */
export function randInt(rand: () => number, n: number): number {
  return Math.floor(rand() * n);
}
