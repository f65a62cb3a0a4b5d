// Pure helpers of the guidance trade-off panel: reading the list of scales a teacher types,
// the time left, and the rows of the chart (unit-tested in evaluationFormat.test.ts).
import type { ScaleResult } from '../worker/api';

/** The scales: s = 0 unconditional, s = 1 conditional, then stronger guidance. */
export const DEFAULT_SCALES_TEXT = '0, 1, 2, 3, 5, 7.5';
/** The worker refuses more (src/engine/playground/evaluationController.ts checks the same). */
export const MAX_SCALES = 12;
export const MAX_SCALE = 20;
/** Classifier guidance's scales (the worker's MAX_CLASSIFIER_GUIDANCE_SCALE). */
export const MAX_CLASSIFIER_SCALE_EVAL = 30;
/** Classifier scales of a side-by-side run: README's curve for models/mnist-noisy-classifier. */
export const DEFAULT_CLASSIFIER_SCALES_TEXT = '0, 5, 10, 20';

export type ParsedScales = { scales: number[]; error: null } | { scales: null; error: string };

/**
 * "0, 1, 2.5" (commas or spaces) → ascending distinct scales in [0, MAX_SCALE], or one sentence
 * saying what is wrong. Plain decimals only: the text is never evaluated.
 */
export function parseScales(text: string, max: number = MAX_SCALE): ParsedScales {
  const parts = text
    .split(/[\s,;]+/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  if (parts.length === 0) return { scales: null, error: 'Give at least one guidance scale.' };
  const values: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,3}(\.\d{1,3})?$/.test(p) && !/^\.\d{1,3}$/.test(p)) {
      return { scales: null, error: `"${p.slice(0, 12)}" is not a number like 3 or 7.5.` };
    }
    const v = Number(p);
    if (v > max) {
      return {
        scales: null,
        error: `${p} is above ${max}: use scales from 0 to ${max}.`,
      };
    }
    values.push(v);
  }
  const scales = [...new Set(values)].sort((a, b) => a - b);
  if (scales.length > MAX_SCALES) {
    return { scales: null, error: `At most ${MAX_SCALES} scales (got ${scales.length}).` };
  }
  return { scales, error: null };
}

/** Seconds left at the pace so far, or null before there is a pace to go by. */
export function secondsLeft(fraction: number, elapsedSeconds: number): number | null {
  if (!(fraction > 0) || !(elapsedSeconds > 0)) return null;
  return Math.max(0, (elapsedSeconds * (1 - Math.min(1, fraction))) / fraction);
}

export function formatSeconds(seconds: number): string {
  // Round once, then split, so 59.6 s reads "1 min 0 s" rather than "60 s" or "1 min 60 s".
  const s = Math.max(1, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${s % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

export interface TradeoffPoint {
  s: number;
  /** Per cent. */
  accuracy: number;
  fd: number;
  /** Samples' within-class spread over real digits' (1 = as varied); null when unknown. */
  diversity: number | null;
}

/** One point per scale, by ascending s (the run order may differ). */
export function tradeoffPoints(results: readonly ScaleResult[]): TradeoffPoint[] {
  return results
    .map((r) => ({
      s: r.guidanceScale,
      accuracy: 100 * r.accuracy.overall,
      fd: r.frechetDistance,
      diversity: r.diversity.mean,
    }))
    .sort((a, b) => a.s - b.s);
}

export const percent = (v: number | null): string =>
  v === null ? '–' : `${(100 * v).toFixed(0)}%`;

/**
 * A background for a per-class accuracy cell: red at 0, through amber, to green at 1, light
 * enough for dark text in both themes (the number is always printed too).
 */
export function accuracyColour(v: number | null): string {
  if (v === null) return 'transparent';
  const hue = Math.round(120 * Math.max(0, Math.min(1, v)));
  return `hsl(${hue} 70% 78%)`;
}
