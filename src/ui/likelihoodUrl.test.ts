import { describe, expect, it } from 'vitest';
import { formatLikelihoodHash, parseLikelihoodHash } from './likelihoodUrl';

describe('the Likelihood view in the share link', () => {
  it('round-trips its settings', () => {
    const s = { images: 16, variance: 'beta' as const, conditional: true, seed: 42 };
    expect(parseLikelihoodHash(`#view=likelihood&${formatLikelihoodHash(s)}`)).toEqual({
      state: s,
      problems: [],
    });
  });
  it('rejects and reports bad values, keeping nothing of them', () => {
    const r = parseLikelihoodHash('#lnum=7&lvar=large&lcond=yes&lseed=-1');
    expect(r.state).toEqual({});
    expect(r.problems).toHaveLength(4);
    expect(r.problems[0]).toMatch(/^lnum="7" is not one of 1, 4, 8, 16, 32/);
  });
  it('clamps a huge seed', () => {
    const r = parseLikelihoodHash('#lseed=999999999999');
    expect(r.state.seed).toBeLessThan(999999999999);
    expect(r.problems).toHaveLength(1);
  });
});
