// The "Score & SDE" view's part of the share link: data set (with the drawn points, compactly:
// drawnPointsCode.ts), sampler, SDE, noise level t and steps. Parsed like the rest of the hash (urlState.ts): plain text, validated, clamped, never
// evaluated; a bad value falls back to the default and is reported.
import {
  isPresetName,
  isSamplerName,
  isSdeKind,
  PRESET_NAMES,
  SAMPLER_NAMES,
  SDE_KINDS,
  type PresetName,
  type SamplerName,
  type SdeKind,
} from '../diffusion/score2d';
import { decodeDrawnPoints, encodeDrawnPoints, MAX_DRAWN_CODE_LENGTH } from './drawnPointsCode';

export interface Score2dShared {
  preset: PresetName | 'drawn';
  /** The drawn points (with preset 'drawn'), on the 0.01 grid of drawnPointsCode.ts. */
  drawnPoints?: [number, number][];
  sampler: SamplerName;
  sde: SdeKind;
  /** Noise level of the field, t ∈ [0, 1] (3 decimals). */
  level: number;
  /** The sampler's step count (N, or T per level for annealed Langevin). */
  steps: number;
}

const KEY = {
  preset: 's2data',
  sampler: 's2sampler',
  sde: 's2sde',
  level: 's2t',
  steps: 's2steps',
  points: 's2pts',
};

/** The drawn points' key and value, cut out of a hash (the other parsers refuse long hashes). */
export function withoutDrawnPoints(hash: string): string {
  return hash.replace(/(^#?|&)s2pts=[^&]*/, (_match, lead: string) => (lead === '&' ? '' : lead));
}
export const SCORE2D_MAX_STEPS = 5000;

export function parseScore2dHash(hash: string): {
  state: Partial<Score2dShared>;
  problems: string[];
} {
  const text = hash.startsWith('#') ? hash.slice(1) : hash;
  const state: Partial<Score2dShared> = {};
  const problems: string[] = [];
  if (text.length === 0 || text.length > 1000 + MAX_DRAWN_CODE_LENGTH) return { state, problems };
  const params = new URLSearchParams(text);
  const bad = (k: string, raw: string, why: string) =>
    problems.push(`${k}=${JSON.stringify(raw.slice(0, 40))} ${why}`);
  const preset = params.get(KEY.preset);
  if (preset !== null) {
    if (isPresetName(preset) || preset === 'drawn') state.preset = preset;
    else {
      bad(KEY.preset, preset, `is not one of ${PRESET_NAMES.join(', ')}, drawn; using the default`);
    }
  }
  const points = params.get(KEY.points);
  if (points !== null) {
    const decoded = decodeDrawnPoints(points);
    if (typeof decoded === 'string') {
      bad(KEY.points, points, `${decoded}; the drawn points were not loaded`);
    } else if (state.preset !== 'drawn') {
      bad(KEY.points, points, `needs ${KEY.preset}=drawn; ignored`);
    } else state.drawnPoints = decoded;
  }
  const sampler = params.get(KEY.sampler);
  if (sampler !== null) {
    if (isSamplerName(sampler)) state.sampler = sampler;
    else bad(KEY.sampler, sampler, `is not one of ${SAMPLER_NAMES.join(', ')}; using the default`);
  }
  const sde = params.get(KEY.sde);
  if (sde !== null) {
    if (isSdeKind(sde)) state.sde = sde;
    else bad(KEY.sde, sde, `is not one of ${SDE_KINDS.join(', ')}; using the default`);
  }
  const level = params.get(KEY.level);
  if (level !== null) {
    if (!/^\d(\.\d{1,3})?$/.test(level))
      bad(KEY.level, level, 'is not a number like 0.25; using the default');
    else {
      const v = Math.min(1, Number(level));
      if (v !== Number(level)) bad(KEY.level, level, `is outside 0..1; using ${v}`);
      state.level = v;
    }
  }
  const steps = params.get(KEY.steps);
  if (steps !== null) {
    if (!/^\d{1,6}$/.test(steps)) bad(KEY.steps, steps, 'is not a whole number; using the default');
    else {
      const v = Math.min(SCORE2D_MAX_STEPS, Math.max(1, Number(steps)));
      if (v !== Number(steps))
        bad(KEY.steps, steps, `is outside 1..${SCORE2D_MAX_STEPS}; using ${v}`);
      state.steps = v;
    }
  }
  return { state, problems };
}

/** The query part (no '#'), appended to the app's hash. */
export function formatScore2dHash(s: Score2dShared): string {
  const p = new URLSearchParams();
  p.set(KEY.preset, s.preset);
  p.set(KEY.sampler, s.sampler);
  p.set(KEY.sde, s.sde);
  p.set(KEY.level, String(Math.round(s.level * 1000) / 1000));
  p.set(KEY.steps, String(s.steps));
  if (s.preset === 'drawn' && s.drawnPoints && s.drawnPoints.length > 0) {
    p.set(KEY.points, encodeDrawnPoints(s.drawnPoints));
  }
  return p.toString();
}
