// The Likelihood view's part of the share link: the number of test images, the reverse variance
// σ², conditional or not, and the seed (the first image is the app's `image`). Parsed like the
// rest of the hash (urlState.ts): plain text, validated, clamped, never evaluated; a bad value
// falls back to the default and is reported.
import type { LikelihoodSettings } from './likelihoodStore';
import { IMAGE_COUNTS } from './likelihoodStore';
import { MAX_SEED } from './validation';

const KEY = { images: 'lnum', variance: 'lvar', conditional: 'lcond', seed: 'lseed' } as const;

export function parseLikelihoodHash(hash: string): {
  state: Partial<LikelihoodSettings>;
  problems: string[];
} {
  const text = hash.startsWith('#') ? hash.slice(1) : hash;
  const state: Partial<LikelihoodSettings> = {};
  const problems: string[] = [];
  if (text.length === 0 || text.length > 1000) return { state, problems };
  const params = new URLSearchParams(text);
  const bad = (k: string, raw: string, why: string) =>
    problems.push(`${k}=${JSON.stringify(raw.slice(0, 40))} ${why}`);
  const images = params.get(KEY.images);
  if (images !== null) {
    const v = /^\d{1,3}$/.test(images) ? Number(images) : Number.NaN;
    if (IMAGE_COUNTS.includes(v)) state.images = v;
    else bad(KEY.images, images, `is not one of ${IMAGE_COUNTS.join(', ')}; using the default`);
  }
  const variance = params.get(KEY.variance);
  if (variance !== null) {
    if (variance === 'beta' || variance === 'betaTilde' || variance === 'learned') {
      state.variance = variance;
    } else bad(KEY.variance, variance, 'is not beta, betaTilde or learned; using the default');
  }
  const conditional = params.get(KEY.conditional);
  if (conditional !== null) {
    if (conditional === '0' || conditional === '1') state.conditional = conditional === '1';
    else bad(KEY.conditional, conditional, 'must be 0 or 1; using the default');
  }
  const seed = params.get(KEY.seed);
  if (seed !== null) {
    if (!/^\d{1,12}$/.test(seed)) bad(KEY.seed, seed, 'is not a whole number; using the default');
    else {
      const v = Math.min(MAX_SEED, Number(seed));
      if (v !== Number(seed)) bad(KEY.seed, seed, `is outside 0..${MAX_SEED}; using ${v}`);
      state.seed = v;
    }
  }
  return { state, problems };
}

/** The query part (no '#'), appended to the app's hash. */
export function formatLikelihoodHash(s: LikelihoodSettings): string {
  const p = new URLSearchParams();
  p.set(KEY.images, String(s.images));
  p.set(KEY.variance, s.variance);
  p.set(KEY.conditional, s.conditional ? '1' : '0');
  p.set(KEY.seed, String(s.seed));
  return p.toString();
}
