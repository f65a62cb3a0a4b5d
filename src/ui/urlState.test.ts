import { describe, expect, it } from 'vitest';
import { formatHash, parseHash, type SharedState } from './urlState';

const full: SharedState = {
  view: 'schedules',
  dataset: 'cifar10',
  scheduleKind: 'cosine',
  T: 400,
  linearScaled: true,
  t: 123,
  imageIndex: 42,
  seed: 7,
  classIndex: -1,
  guidanceScale: 7.5,
  sampler: 'ddpm',
  steps: 25,
  eta: 0.3,
  samplingSeed: 12345,
  n: 4,
  step: 7,
  theme: 'dark',
  classroom: true,
  clipX0: false,
  guidanceMethod: 'both',
  classifierScale: 12.5,
  variance: 'learned',
  snr: 0.25,
  langevinSteps: 3,
};

describe('URL hash state', () => {
  it('carries the guidance method and classifier scale unless classifier-free, rejects tampering', () => {
    expect(formatHash({ ...full, guidanceMethod: 'classifier-free' })).not.toContain('gmethod');
    expect(formatHash(full)).toContain('gmethod=both&cscale=12.5');
    expect(parseHash('#gmethod=classifier&cscale=8').state).toEqual({
      guidanceMethod: 'classifier',
      classifierScale: 8,
    });
    const bad = parseHash('#gmethod=oracle&cscale=-3');
    expect(bad.state).toEqual({});
    expect(bad.problems).toEqual([
      'gmethod="oracle" is not one of classifier-free, classifier, both; using the default',
      'cscale="-3" is not a number like 5 or 12.5; using the default',
    ]);
    const big = parseHash('#cscale=99');
    expect(big.state).toEqual({ classifierScale: 30 });
    expect(big.problems).toEqual(['cscale="99" is outside 0..30; using 30']);
  });

  it('round-trips every shared field', () => {
    const { state, problems } = parseHash(formatHash(full));
    expect(problems).toEqual([]);
    // snr and lsteps travel only with the sampler that uses them (below); full's is DDPM.
    const { snr: _snr, langevinSteps: _m, ...ddpm } = full;
    expect(state).toEqual(ddpm);
  });

  it("carries pc's snr and annealed Langevin's steps per level with their sampler only", () => {
    const pc = formatHash({ ...full, sampler: 'pc' });
    expect(pc).toContain('snr=0.25');
    expect(pc).not.toContain('lsteps');
    expect(parseHash(pc).state).toMatchObject({ sampler: 'pc', snr: 0.25 });
    const langevin = formatHash({ ...full, sampler: 'annealed-langevin' });
    expect(langevin).toContain('lsteps=3');
    expect(langevin).not.toContain('snr=');
    expect(parseHash(langevin).state).toMatchObject({
      sampler: 'annealed-langevin',
      langevinSteps: 3,
    });
    expect(formatHash({ ...full, sampler: 'ddim' })).not.toMatch(/snr=|lsteps=/);
  });

  it('rejects a tampered snr or lsteps with a notice and keeps the rest of the link', () => {
    const bad = parseHash('#sampler=pc&snr=1e9&lsteps=abc&class=7');
    expect(bad.state).toEqual({ sampler: 'pc', classIndex: 7 });
    expect(bad.problems).toEqual([
      'snr="1e9" is not a number like 0.16; using the default',
      'lsteps="abc" is not a whole number; using the default',
    ]);
    const clamped = parseHash('#snr=0&lsteps=500');
    expect(clamped.state).toEqual({ snr: 0.01, langevinSteps: 100 });
    expect(clamped.problems).toEqual([
      'snr="0" is outside 0.01..1; using 0.01',
      'lsteps="500" is outside 1..100; using 100',
    ]);
    expect(parseHash('#snr=2.5').state).toEqual({ snr: 1 });
  });

  it('carries x̂₀ clipping as clip=0 when off, nothing when on (the default)', () => {
    expect(formatHash(full)).toContain('clip=0');
    expect(formatHash({ ...full, clipX0: true })).not.toContain('clip=');
    expect(parseHash('#clip=1').state).toEqual({ clipX0: true });
    expect(parseHash('#clip=0').state).toEqual({ clipX0: false });
    const bad = parseHash('#clip=yes');
    expect(bad.state).toEqual({});
    expect(bad.problems).toEqual(['clip="yes" must be 0 or 1; using the default']);
  });

  it('clamps out-of-range numbers and says so', () => {
    const { state, problems } = parseHash('#T=999999&t=5000&seed=-4');
    expect(state.T).toBe(4000);
    expect(state.t).toBe(3999);
    expect(state.seed).toBe(0);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toContain('T="999999" is outside 2..4000');
  });

  it('knows every view, the guidance trade-off included', () => {
    expect(parseHash('#view=evaluate')).toEqual({ state: { view: 'evaluate' }, problems: [] });
  });

  it('clamps t against the T in the link', () => {
    expect(parseHash('#T=10&t=50').state.t).toBe(9);
  });

  it('rejects non-numbers, code and unknown names without evaluating anything', () => {
    const { state, problems } = parseHash(
      '#view=alert(1)&T=1e3&t=0x10&seed=%3Cscript%3E&data=imagenet&schedule=constructor&scaled=yes&image=1.5',
    );
    expect(state).toEqual({});
    expect(problems).toHaveLength(8);
    const sampling = parseHash('#guidance=1e3&class=12&sampler=euler&steps=0');
    expect(sampling.state).toEqual({ classIndex: 9, steps: 1 });
    expect(sampling.problems).toHaveLength(4);
    expect(parseHash('#guidance=42').state.guidanceScale).toBe(10);
    expect(problems.join(' ')).toContain('view="alert(1)" is not one of');
  });

  it('round-trips the score-based samplers and rejects a tampered sampler name', () => {
    for (const sampler of ['euler-maruyama', 'pf-ode', 'pc', 'annealed-langevin'] as const) {
      const { state, problems } = parseHash(formatHash({ ...full, sampler }));
      expect(problems).toEqual([]);
      expect(state.sampler).toBe(sampler);
    }
    const bad = parseHash('#sampler=pf-ode%3Cscript%3E');
    expect(bad.state.sampler).toBeUndefined();
    expect(bad.problems.join(' ')).toMatch(/sampler=.* is not one of .*pf-ode/);
  });

  it('carries what a replay needs: sampling seed, n, η, the step shown, theme and classroom', () => {
    const { state, problems } = parseHash(
      '#sseed=99&n=3&eta=0.25&at=12&theme=light&classroom=0&steps=10',
    );
    expect(problems).toEqual([]);
    expect(state).toEqual({
      samplingSeed: 99,
      n: 3,
      eta: 0.25,
      step: 12,
      theme: 'light',
      classroom: false,
      steps: 10,
    });
    const hostile = parseHash('#n=0&eta=2&at=-1&theme=%3Cb%3E&classroom=yes&sseed=1e9&eta=0x1');
    expect(hostile.state).toEqual({ n: 1, eta: 1, step: 0 });
    expect(hostile.problems).toHaveLength(6);
    // Before the first step there is no step to share.
    expect(formatHash({ ...full, step: null })).not.toContain('at=');
  });

  it('keeps an η with many decimals exactly (a replay must use the same number)', () => {
    const eta = 0.30000000000000004;
    expect(parseHash(formatHash({ ...full, eta })).state.eta).toBe(eta);
  });

  it('ignores unknown keys and empty or oversized hashes', () => {
    expect(parseHash('#__proto__=1&foo=bar')).toEqual({ state: {}, problems: [] });
    expect(parseHash('')).toEqual({ state: {}, problems: [] });
    expect(parseHash('#' + 'a'.repeat(5000)).problems).toHaveLength(1);
  });
});
