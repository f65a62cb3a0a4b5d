// The Latent diffusion view's part of the share link. Parsed like the rest of the hash
// (urlState.ts): plain text, validated, clamped, never evaluated; a bad value keeps the current
// setting and is reported, and the other keys still apply.
import { DEFAULT_LATENT, type LatentSettings } from './latentStore';
import { MAX_SEED } from './validation';

type Key = keyof LatentSettings;

/** Key in the hash, whether it is an integer, and its range. */
const FIELDS: Record<Key, { key: string; int: boolean; min: number; max: number }> = {
  classIndex: { key: 'ldclass', int: true, min: 0, max: 9 },
  guidance: { key: 'ldguid', int: false, min: 0, max: 10 },
  steps: { key: 'ldsteps', int: true, min: 2, max: 200 },
  seed: { key: 'ldseed', int: true, min: 0, max: MAX_SEED },
  image: { key: 'ldimg', int: true, min: 0, max: 9999 },
  t: { key: 'ldt', int: true, min: 0, max: 999 },
  imageA: { key: 'lda', int: true, min: 0, max: 9999 },
  imageB: { key: 'ldb', int: true, min: 0, max: 9999 },
  alpha: { key: 'ldalpha', int: false, min: 0, max: 1 },
};

export function parseLatentHash(hash: string): {
  state: Partial<LatentSettings>;
  problems: string[];
} {
  const text = hash.startsWith('#') ? hash.slice(1) : hash;
  const state: Partial<LatentSettings> = {};
  const problems: string[] = [];
  if (text.length === 0 || text.length > 4000) return { state, problems };
  const params = new URLSearchParams(text);
  for (const [field, f] of Object.entries(FIELDS) as [Key, (typeof FIELDS)[Key]][]) {
    const raw = params.get(f.key);
    if (raw === null) continue;
    const pattern = f.int ? /^\d{1,12}$/ : /^\d{1,3}(\.\d{1,6})?$/;
    const v = pattern.test(raw) ? Number(raw) : Number.NaN;
    const shown = JSON.stringify(raw.slice(0, 40));
    if (!Number.isFinite(v)) {
      problems.push(`${f.key}=${shown} is not ${f.int ? 'a whole number' : 'a number'}; ignored`);
    } else if (v < f.min || v > f.max) {
      problems.push(`${f.key}=${shown} is outside ${f.min}..${f.max}; ignored`);
    } else {
      state[field] = v;
    }
  }
  return { state, problems };
}

/** The query part (no '#'), appended to the app's hash; only values that differ from the defaults. */
export function formatLatentHash(s: LatentSettings): string {
  const p = new URLSearchParams();
  for (const [field, f] of Object.entries(FIELDS) as [Key, (typeof FIELDS)[Key]][]) {
    if (s[field] !== DEFAULT_LATENT[field]) p.set(f.key, String(s[field]));
  }
  return p.toString();
}
