// The side-by-side comparison's part of the share link: per side (1, 2) its sampler, steps, η
// and DDPM variance: cmp1=ddpm&cmp1steps=1000&cmp1eta=1&cmp1var=beta&cmp2=ddim&…. Parsed like the
// rest of the hash (urlState.ts): plain text, validated, clamped, never evaluated; a bad value
// keeps the current setting and is reported.
import { isSamplerId, SAMPLER_IDS } from './samplerChoices';
import { MAX_COMPARISON_STEPS, type SideSettings } from './comparisonStore';

const SIDES = ['1', '2'] as const;

export function parseComparisonHash(hash: string): {
  sides: [Partial<SideSettings>, Partial<SideSettings>];
  problems: string[];
} {
  const text = hash.startsWith('#') ? hash.slice(1) : hash;
  const sides: [Partial<SideSettings>, Partial<SideSettings>] = [{}, {}];
  const problems: string[] = [];
  if (text.length === 0 || text.length > 1000) return { sides, problems };
  const params = new URLSearchParams(text);
  const bad = (k: string, raw: string, why: string) =>
    problems.push(`${k}=${JSON.stringify(raw.slice(0, 40))} ${why}`);
  SIDES.forEach((n, i) => {
    const side = sides[i];
    const key = `cmp${n}`;
    const sampler = params.get(key);
    if (sampler !== null) {
      if (isSamplerId(sampler)) side.sampler = sampler;
      else bad(key, sampler, `is not a sampler (${SAMPLER_IDS.join(', ')})`);
    }
    const steps = params.get(`${key}steps`);
    if (steps !== null) {
      const v = /^\d{1,4}$/.test(steps) ? Number(steps) : Number.NaN;
      if (v >= 1 && v <= MAX_COMPARISON_STEPS) side.steps = v;
      else bad(`${key}steps`, steps, `is not a whole number in 1..${MAX_COMPARISON_STEPS}`);
    }
    const eta = params.get(`${key}eta`);
    if (eta !== null) {
      const v = /^\d(\.\d{1,6})?$/.test(eta) ? Number(eta) : Number.NaN;
      if (v >= 0 && v <= 1) side.eta = v;
      else bad(`${key}eta`, eta, 'is not a number in [0, 1]');
    }
    const variance = params.get(`${key}var`);
    if (variance !== null) {
      if (variance === 'beta' || variance === 'betaTilde') side.variance = variance;
      else bad(`${key}var`, variance, 'is not beta or betaTilde');
    }
  });
  return { sides, problems };
}

/** The query part (no '#'), appended to the app's hash. */
export function formatComparisonHash(sides: readonly SideSettings[]): string {
  const p = new URLSearchParams();
  sides.forEach((s, i) => {
    const key = `cmp${SIDES[i]}`;
    p.set(key, s.sampler);
    p.set(`${key}steps`, String(s.steps));
    p.set(`${key}eta`, String(s.eta));
    p.set(`${key}var`, s.variance);
  });
  return p.toString();
}
