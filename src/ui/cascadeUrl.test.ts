import { describe, expect, it } from 'vitest';
import { formatCascadeHash, parseCascadeHash } from './cascadeUrl';
import { CASCADE_DEFAULTS, validCascadeSettings } from './cascadeStore';

describe('the Cascade view’s link keys', () => {
  it('round-trips the settings and the scrubber position', () => {
    const s = {
      classIndex: 7,
      guidance: 2.5,
      n: 4,
      steps: 30,
      seed: 12,
      augLevel: 0.25,
      truncated: true,
    };
    const { state, problems } = parseCascadeHash(`#view=cascade&${formatCascadeHash(s, 9)}`);
    expect(problems).toEqual([]);
    expect(state.settings).toEqual(s);
    expect(state.at).toBe(9);
  });

  it('rejects or clamps tampered values, keeping the valid ones', () => {
    const { state, problems } = parseCascadeHash(
      '#ccls=12&cgd=1e9&cn=-3&cst=5000&csd=x&caug=2&cat=4&ctr=yes',
    );
    expect(state.settings.classIndex).toBe(9);
    expect(state.settings.guidance).toBeUndefined();
    expect(state.settings.n).toBeUndefined();
    expect(state.settings.steps).toBe(200);
    expect(state.settings.seed).toBeUndefined();
    expect(state.settings.augLevel).toBe(1);
    expect(state.at).toBe(4);
    expect(state.settings.truncated).toBeUndefined();
    expect(problems).toHaveLength(7);
    expect(problems.join('; ')).toContain('cgd="1e9" is not a number like 3 or 7.5');
  });

  it('the store clamps whatever reaches it', () => {
    const v = validCascadeSettings(
      { classIndex: 3.6, guidance: -1, n: 99, steps: Number.NaN, augLevel: 0.5 },
      CASCADE_DEFAULTS,
    );
    expect(v).toEqual({ ...CASCADE_DEFAULTS, classIndex: 4, guidance: 0, n: 16, augLevel: 0.5 });
  });
});
