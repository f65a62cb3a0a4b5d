// The comparison's link keys: what is written reads back the same; tampered values are refused
// with a message naming the key, and the rest of the link still applies.
import { describe, expect, it } from 'vitest';
import { formatComparisonHash, parseComparisonHash } from './comparisonUrl';
import { DEFAULT_SIDES, useComparison, type SideSettings } from './comparisonStore';
import { applyHash } from './useUrlState';
import { usePlayground } from './store';

describe('comparison share-link keys', () => {
  it('round-trips both sides', () => {
    const sides: SideSettings[] = [
      { sampler: 'ddim', steps: 10, eta: 0.5, variance: 'betaTilde' },
      { sampler: 'ddpm', steps: 1000, eta: 1, variance: 'beta' },
    ];
    const { sides: parsed, problems } = parseComparisonHash(
      `#view=sampling&${formatComparisonHash(sides)}`,
    );
    expect(problems).toEqual([]);
    expect(parsed).toEqual(sides);
  });

  it('says nothing when the link has no comparison keys', () => {
    expect(parseComparisonHash('#view=sampling&seed=3')).toEqual({ sides: [{}, {}], problems: [] });
    expect(formatComparisonHash(DEFAULT_SIDES)).toContain('cmp1=ddpm');
  });

  it('rejects tampered values, keeping the good ones', () => {
    const { sides, problems } = parseComparisonHash(
      '#cmp1=rm%20-rf&cmp1steps=50&cmp2=ddim&cmp2steps=0&cmp2eta=2&cmp2var=%3Cscript%3E&cmp1eta=1e400',
    );
    expect(sides).toEqual([{ steps: 50 }, { sampler: 'ddim' }]);
    expect(problems).toHaveLength(5);
    expect(problems[0]).toMatch(
      /^cmp1="rm -rf" is not a sampler \(ddim, ddpm, euler-maruyama, pf-ode, pc, annealed-langevin\)/,
    );
    expect(problems.join(' ')).toMatch(/cmp2steps="0" is not a whole number in 1\.\.1000/);
    expect(problems.join(' ')).toMatch(/cmp2eta="2" is not a number in \[0, 1\]/);
    expect(problems.join(' ')).toMatch(/cmp2var="<script>" is not beta or betaTilde/);
    expect(problems.join(' ')).toMatch(/cmp1eta="1e400"/);
  });

  it("a link sets the sides through the page's one way in, and says what it ignored", () => {
    applyHash('#view=sampling&cmp1=ddim&cmp1steps=20&cmp2steps=abc');
    expect(useComparison.getState().sides[0]).toMatchObject({ sampler: 'ddim', steps: 20 });
    expect(useComparison.getState().sides[1]).toEqual(DEFAULT_SIDES[1]);
    expect(usePlayground.getState().notice).toMatch(
      /Some link settings were ignored: .*cmp2steps="abc" is not a whole number/,
    );
  });
});
