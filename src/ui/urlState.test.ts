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
  clipX0: false,
};

describe('URL hash state', () => {
  it('round-trips every shared field', () => {
    const { state, problems } = parseHash(formatHash(full));
    expect(problems).toEqual([]);
    expect(state).toEqual(full);
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

  it('ignores unknown keys and empty or oversized hashes', () => {
    expect(parseHash('#__proto__=1&foo=bar')).toEqual({ state: {}, problems: [] });
    expect(parseHash('')).toEqual({ state: {}, problems: [] });
    expect(parseHash('#' + 'a'.repeat(5000)).problems).toHaveLength(1);
  });
});
