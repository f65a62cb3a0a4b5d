import { describe, expect, it } from 'vitest';
import { decodeDrawnPoints, encodeDrawnPoints, snapDrawn } from './drawnPointsCode';
import { formatScore2dHash, parseScore2dHash, withoutDrawnPoints } from './score2dUrl';
import { parseHash } from './urlState';

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

describe('drawn points in the share link', () => {
  const pts: [number, number][] = [
    [-3.25, 4],
    [0, 0],
    [19.99, -20],
    [1.07, -0.01],
  ];

  it('round-trip exactly on the 0.01 grid, 4 characters a point plus 2 check characters', () => {
    const code = encodeDrawnPoints(pts);
    expect(code).toHaveLength(4 * pts.length + 2);
    expect(decodeDrawnPoints(code)).toEqual(pts);
    const link = `#view=score&${formatScore2dHash({ preset: 'drawn', drawnPoints: pts, sampler: 'pc', sde: 'vp', level: 0.1, steps: 50 })}`;
    expect(parseScore2dHash(link)).toEqual({
      state: { preset: 'drawn', drawnPoints: pts, sampler: 'pc', sde: 'vp', level: 0.1, steps: 50 },
      problems: [],
    });
  });

  it('snaps clicks to the grid and inside ±20', () => {
    expect(snapDrawn(1.23456)).toBe(1.23);
    expect(snapDrawn(-99)).toBe(-20);
    expect(decodeDrawnPoints(encodeDrawnPoints([[1.23456, 50]]))).toEqual([[1.23, 20]]);
  });

  it('400 points fit, and the other parsers still read the rest of the hash', () => {
    const many = Array.from({ length: 400 }, (_, i): [number, number] => [
      snapDrawn(i / 20 - 10),
      snapDrawn(-i / 40),
    ]);
    const hash = `#view=score&seed=7&${formatScore2dHash({ preset: 'drawn', drawnPoints: many, sampler: 'pc', sde: 'vp', level: 0.1, steps: 50 })}`;
    expect(parseScore2dHash(hash).state.drawnPoints).toEqual(many);
    const short = withoutDrawnPoints(hash);
    expect(short).not.toContain('s2pts');
    expect(short.length).toBeLessThan(200);
    expect(parseHash(short).state.seed).toBe(7);
    expect(withoutDrawnPoints('#s2pts=AAAA&seed=1')).toBe('#&seed=1');
  });

  it('a changed, cut or foreign value is reported, and the rest of the link still applies', () => {
    const code = encodeDrawnPoints(pts);
    const flipped = code.slice(0, 5) + (code[5] === 'A' ? 'B' : 'A') + code.slice(6);
    for (const [value, why] of [
      [flipped, /fails its check/],
      [code.slice(0, -4), /fails its check/],
      [code.slice(0, -1), /not a whole number of points/],
      ['AB%3Cscript%3E', /characters other than/],
      ['', /not a whole number/],
      ['A'.repeat(4 * 401 + 2), /too long/],
    ] as const) {
      const { state, problems } = parseScore2dHash(`#s2data=drawn&s2sampler=pc&s2pts=${value}`);
      expect(state).toEqual({ preset: 'drawn', sampler: 'pc' });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(why);
      expect(problems[0]).toMatch(/s2pts=.*the drawn points were not loaded/);
    }
  });

  it('points without s2data=drawn are ignored with a message', () => {
    const { state, problems } = parseScore2dHash(`#s2data=moons&s2pts=${encodeDrawnPoints(pts)}`);
    expect(state).toEqual({ preset: 'moons' });
    expect(problems[0]).toMatch(/needs s2data=drawn/);
  });
});
