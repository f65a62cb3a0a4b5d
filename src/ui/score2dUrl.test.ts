import { describe, expect, it } from 'vitest';
import { formatScore2dHash, parseScore2dHash } from './score2dUrl';

describe('the Score & SDE part of the share link', () => {
  it('round-trips', () => {
    const s = { preset: 'moons', sampler: 'pc', sde: 've', level: 0.125, steps: 80 } as const;
    expect(parseScore2dHash(`#view=score&${formatScore2dHash(s)}`)).toEqual({
      state: s,
      problems: [],
    });
  });

  it('ignores and reports bad values, clamps out-of-range ones', () => {
    const { state, problems } = parseScore2dHash(
      '#s2data=%3Cscript%3E&s2sampler=warp&s2sde=vp&s2t=7&s2steps=999999',
    );
    expect(state).toEqual({ sde: 'vp', level: 1, steps: 5000 });
    expect(problems).toHaveLength(4);
    expect(problems.join(' ')).toMatch(/s2data=.*is not one of/);
    expect(problems.join(' ')).toMatch(/s2steps=.*using 5000/);
  });

  it('takes t in [0, 1] with up to 3 decimals', () => {
    expect(parseScore2dHash('#s2t=1').state.level).toBe(1);
    expect(parseScore2dHash('#s2t=0.5').state.level).toBe(0.5);
    expect(parseScore2dHash('#s2t=-1').problems).toHaveLength(1);
  });
});
