// The Cascade view's part of the share link: class, guidance s, image count, DDIM steps, seed, the
// sampling-time augmentation level and the scrubber position. Parsed like the rest of the hash
// (urlState.ts): plain text, validated, clamped, never evaluated; a bad value falls back to the
// default and is reported, and nothing else in the link is lost.
import { CASCADE_LIMITS, type CascadeSettings } from './cascadeStore';
import { MAX_SEED } from './validation';

const KEY = {
  classIndex: 'ccls',
  guidance: 'cgd',
  n: 'cn',
  steps: 'cst',
  seed: 'csd',
  augLevel: 'caug',
  truncated: 'ctr',
  at: 'cat',
} as const;

export interface CascadeHashState {
  settings: Partial<CascadeSettings>;
  at?: number;
}

export function parseCascadeHash(hash: string): { state: CascadeHashState; problems: string[] } {
  const text = hash.startsWith('#') ? hash.slice(1) : hash;
  const state: CascadeHashState = { settings: {} };
  const problems: string[] = [];
  if (text.length === 0 || text.length > 1000) return { state, problems };
  const params = new URLSearchParams(text);
  const bad = (k: string, raw: string, why: string) =>
    problems.push(`${k}=${JSON.stringify(raw.slice(0, 40))} ${why}`);
  const int = (k: string, lo: number, hi: number): number | undefined => {
    const raw = params.get(k);
    if (raw === null) return undefined;
    if (!/^\d{1,12}$/.test(raw)) {
      bad(k, raw, 'is not a whole number; using the default');
      return undefined;
    }
    const v = Math.min(hi, Math.max(lo, Number(raw)));
    if (v !== Number(raw)) bad(k, raw, `is outside ${lo}..${hi}; using ${v}`);
    return v;
  };
  const dec = (k: string, hi: number, example: string): number | undefined => {
    const raw = params.get(k);
    if (raw === null) return undefined;
    if (!/^\d{1,3}(\.\d{1,17})?$/.test(raw)) {
      bad(k, raw, `is not a number like ${example}; using the default`);
      return undefined;
    }
    const v = Math.min(hi, Number(raw));
    if (v !== Number(raw)) bad(k, raw, `is outside 0..${hi}; using ${v}`);
    return v;
  };
  const s = state.settings;
  const put = <K extends keyof CascadeSettings>(k: K, v: number | undefined) => {
    if (v !== undefined) s[k] = v as CascadeSettings[K];
  };
  put('classIndex', int(KEY.classIndex, 0, 9));
  put('guidance', dec(KEY.guidance, CASCADE_LIMITS.guidance, '3 or 7.5'));
  put('n', int(KEY.n, 1, CASCADE_LIMITS.n));
  put('steps', int(KEY.steps, 1, CASCADE_LIMITS.steps));
  put('seed', int(KEY.seed, 0, MAX_SEED));
  put('augLevel', dec(KEY.augLevel, 1, '0.1'));
  const tr = params.get(KEY.truncated);
  if (tr !== null) {
    if (tr === '0' || tr === '1') s.truncated = tr === '1';
    else bad(KEY.truncated, tr, 'must be 0 or 1; using the default');
  }
  const at = int(KEY.at, 0, 2 * CASCADE_LIMITS.steps + 1);
  if (at !== undefined) state.at = at;
  return { state, problems };
}

/** The query part (no '#'), appended to the app's hash. */
export function formatCascadeHash(s: CascadeSettings, at: number | null): string {
  const p = new URLSearchParams();
  p.set(KEY.classIndex, String(s.classIndex));
  p.set(KEY.guidance, String(s.guidance));
  p.set(KEY.n, String(s.n));
  p.set(KEY.steps, String(s.steps));
  p.set(KEY.seed, String(s.seed));
  p.set(KEY.augLevel, String(s.augLevel));
  if (s.truncated) p.set(KEY.truncated, '1');
  if (at !== null) p.set(KEY.at, String(at));
  return p.toString();
}
