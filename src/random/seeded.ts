// The project's one source of seeded randomness (no tfjs, so every layer may import it): a string
// hash, a seed derivation and a small PRNG. tfjs's random ops treat a seed of 0 as "no seed"
// (Math.random), so every seed handed to tfjs comes from deriveSeed or hashSeed, which never
// return 0: any user seed, 0 included, then gives the same numbers every time.

/** murmur3's 32-bit finaliser (Appleby, MurmurHash3 fmix32): a bijective mix of a uint32. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** 32-bit FNV-1a over the UTF-16 code units of s (Fowler, Noll and Vo). */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A uint32 seed, never 0, from a name (e.g. a parameter's "seed/name" key). */
export function hashSeed(key: string): number {
  const h = fnv1a(key);
  return h === 0 ? 1 : h;
}

/** What the derived seeds are for: part of the derivation, so streams never collide. */
export const STREAM = {
  /** Training: batch indices, ε, dropout masks, epoch shuffles (index: the step or epoch). */
  batch: 1,
  noise: 2,
  dropout: 3,
  epoch: 4,
  /** Sampling: x_T is index 0, step k's fresh z is index k + 1. */
  sampling: 5,
  /** Sampling batch k > 0 of a many-batch run (index k). */
  samplingBatch: 6,
  /** Forward process: the ε of the closed form (index 0), shared by the filmstrip. */
  forward: 7,
  /** Forward process, step-by-step chain: the noise of step s (index s). */
  forwardChain: 8,
  /** Likelihood view: the random order in which the timesteps are evaluated. */
  likelihoodOrder: 9,
} as const;

/**
 * A uint32 seed in [1, 2^32) for one (purpose, index) of a user seed. `seed` and `index` may be
 * any safe integers (negative and above 2^32 included): both 32-bit halves are mixed in.
 */
export function deriveSeed(seed: number, purpose: number, index = 0): number {
  let h = fmix32((seed >>> 0) ^ 0x9e3779b9);
  h = fmix32(h ^ (Math.floor(seed / 2 ** 32) >>> 0));
  h = fmix32(h ^ Math.imul(purpose + 1, 0x27d4eb2f));
  h = fmix32(h ^ (index >>> 0));
  h = fmix32(h ^ (Math.floor(index / 2 ** 32) >>> 0));
  return h === 0 ? 1 : h;
}

/** mulberry32 (Tommy Ettinger, public domain): a small, fast generator of uint32s. */
export function mulberry32Uint32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** mulberry32 as uniform floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  const next = mulberry32Uint32(seed);
  return () => next() / 4294967296;
}

/** A uniform integer in [0, n). */
export function randInt(rand: () => number, n: number): number {
  return Math.floor(rand() * n);
}
