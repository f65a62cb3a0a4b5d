// The shareable part of the state lives in the URL hash, so a link reproduces what the teacher
// showed. The hash is untrusted input: every value is parsed as plain text, validated and
// clamped; nothing is ever evaluated. Unknown keys are ignored; bad values fall back to the
// default and are reported so the page can say what it ignored. The stores validate again
// (validation.ts) against what only they know, e.g. the loaded model's T.
//
// Every setting that changes what is drawn is here, so a link replays a demo bit for bit on the
// same backend: the sampling seed, n, η, steps, sampler, class, s and the trajectory step shown,
// with the theme and classroom mode. A new setting that changes the pictures (a view's own, or
// "clip x̂₀") needs a field in SharedState, a KEY, a parse line and a format line below, and a
// line in useUrlState's shared().
import type { ScheduleKind } from '../diffusion/schedule';
import type { DatasetName } from '../worker/api';
import {
  DATASETS,
  MAX_GUIDANCE,
  MAX_IMAGES,
  MAX_SEED,
  SAMPLERS,
  DDPM_VARIANCES,
  SCHEDULE_KINDS,
  TEST_SET_SIZE,
  THEMES,
  T_MAX,
  T_MIN,
  VIEWS,
  type SamplerName,
  type DdpmVarianceName,
  type Theme,
  type ViewId,
  GUIDANCE_METHOD_NAMES,
  MAX_CLASSIFIER_SCALE,
  type GuidanceMethodName,
  MIN_SNR,
  MAX_LANGEVIN_STEPS_UI,
} from './validation';

export interface SharedState {
  view: ViewId;
  dataset: DatasetName;
  scheduleKind: ScheduleKind;
  T: number;
  linearScaled: boolean;
  t: number;
  imageIndex: number;
  seed: number;
  /** Sampling: a class index or -1 (unconditional), s, sampler, DDIM steps. */
  classIndex: number;
  guidanceScale: number;
  sampler: SamplerName;
  steps: number;
  /** Sampling: η of DDIM (0 deterministic, 1 DDPM-like noise), the noise seed, the image count. */
  eta: number;
  samplingSeed: number;
  n: number;
  /** The trajectory step shown (steps done), or null when nothing was sampled yet. */
  step: number | null;
  theme: Theme;
  classroom: boolean;
  /** Sampling: clip x̂_0 to [−1, 1] (default on; the link carries clip=0 only when off). */
  clipX0: boolean;
  /** Sampling: the guidance method and classifier scale (in the link unless classifier-free). */
  guidanceMethod: GuidanceMethodName;
  classifierScale: number;
  /** Sampling, DDPM: σ² = β, β̃ or a learned Σ_θ (`var`; checked against the model on load). */
  variance: DdpmVarianceName;
  /** Sampling, pc: the corrector's snr r (`snr`, in the link only with sampler=pc). */
  snr: number;
  /** Sampling, annealed-langevin: Langevin steps per level M (`lsteps`, only with that sampler). */
  langevinSteps: number;
}

export interface ParsedHash {
  /** Only the keys present and valid (after clamping). */
  state: Partial<SharedState>;
  /** One human-readable line per value that was rejected or changed. */
  problems: string[];
}

const KINDS: readonly ScheduleKind[] = SCHEDULE_KINDS;
const MAX_IMAGE_INDEX = Math.max(...Object.values(TEST_SET_SIZE)) - 1;
/** Longer hashes are not ours: refuse to parse them at all. */
const MAX_HASH_LENGTH = 1000;

const KEY: Record<keyof SharedState, string> = {
  view: 'view',
  dataset: 'data',
  scheduleKind: 'schedule',
  T: 'T',
  linearScaled: 'scaled',
  t: 't',
  imageIndex: 'image',
  seed: 'seed',
  classIndex: 'class',
  guidanceScale: 'guidance',
  sampler: 'sampler',
  steps: 'steps',
  eta: 'eta',
  samplingSeed: 'sseed',
  n: 'n',
  step: 'at',
  theme: 'theme',
  classroom: 'classroom',
  clipX0: 'clip',
  guidanceMethod: 'gmethod',
  classifierScale: 'cscale',
  variance: 'var',
  snr: 'snr',
  langevinSteps: 'lsteps',
};

function oneOf<V extends string>(raw: string, allowed: readonly V[]): V | undefined {
  return allowed.find((v) => v === raw);
}

/** A decimal integer (no exponent, hex or spaces), clamped to [lo, hi]. */
function intIn(raw: string, lo: number, hi: number): { value?: number; clamped: boolean } {
  if (!/^-?\d{1,12}$/.test(raw)) return { clamped: false };
  const n = Number(raw);
  const value = Math.min(hi, Math.max(lo, n));
  return { value, clamped: value !== n };
}

export function parseHash(hash: string): ParsedHash {
  const text = hash.startsWith('#') ? hash.slice(1) : hash;
  const state: Partial<SharedState> = {};
  const problems: string[] = [];
  if (text.length === 0) return { state, problems };
  if (text.length > MAX_HASH_LENGTH) {
    return { state, problems: ['the link is too long to be a playground link; ignored it'] };
  }
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(text);
  } catch {
    return { state, problems: ['the link could not be read; ignored it'] };
  }
  const get = (k: keyof SharedState): string | null => params.get(KEY[k]);
  const bad = (k: keyof SharedState, raw: string, why: string): void => {
    problems.push(`${KEY[k]}=${JSON.stringify(raw.slice(0, 40))} ${why}`);
  };

  const enumField = <V extends string>(k: keyof SharedState, allowed: readonly V[]) => {
    const raw = get(k);
    if (raw === null) return undefined;
    const v = oneOf(raw, allowed);
    if (v === undefined) bad(k, raw, `is not one of ${allowed.join(', ')}; using the default`);
    return v;
  };
  const intField = (k: keyof SharedState, lo: number, hi: number) => {
    const raw = get(k);
    if (raw === null) return undefined;
    const { value, clamped } = intIn(raw, lo, hi);
    if (value === undefined) bad(k, raw, 'is not a whole number; using the default');
    else if (clamped) bad(k, raw, `is outside ${lo}..${hi}; using ${value}`);
    return value;
  };

  const view = enumField('view', VIEWS);
  if (view) state.view = view;
  const dataset = enumField('dataset', DATASETS);
  if (dataset) state.dataset = dataset;
  const kind = enumField('scheduleKind', KINDS);
  if (kind) state.scheduleKind = kind;
  const T = intField('T', T_MIN, T_MAX);
  if (T !== undefined) state.T = T;
  const flag = (k: 'linearScaled' | 'classroom' | 'clipX0'): boolean | undefined => {
    const raw = get(k);
    if (raw === null) return undefined;
    if (raw === '1' || raw === '0') return raw === '1';
    bad(k, raw, 'must be 0 or 1; using the default');
    return undefined;
  };
  const scaled = flag('linearScaled');
  if (scaled !== undefined) state.linearScaled = scaled;
  // t is checked against the T in effect (from the link, or the default 1000).
  const t = intField('t', 0, (state.T ?? 1000) - 1);
  if (t !== undefined) state.t = t;
  const image = intField('imageIndex', 0, MAX_IMAGE_INDEX);
  if (image !== undefined) state.imageIndex = image;
  const seed = intField('seed', 0, MAX_SEED);
  if (seed !== undefined) state.seed = seed;
  const classIndex = intField('classIndex', -1, 9);
  if (classIndex !== undefined) state.classIndex = classIndex;
  const sampler = enumField('sampler', SAMPLERS);
  if (sampler) state.sampler = sampler;
  const steps = intField('steps', 1, T_MAX);
  if (steps !== undefined) state.steps = steps;
  // Plain decimals, like 3 or 7.5 (no exponent, sign or hex); clamped to the control's range.
  const decimalField = (
    k: 'guidanceScale' | 'eta' | 'classifierScale',
    hi: number,
    example: string,
  ) => {
    const raw = get(k);
    if (raw === null) return undefined;
    if (!/^\d{1,3}(\.\d{1,17})?$/.test(raw)) {
      bad(k, raw, `is not a number like ${example}; using the default`);
      return undefined;
    }
    const v = Math.min(hi, Number(raw));
    if (v !== Number(raw)) bad(k, raw, `is outside 0..${hi}; using ${v}`);
    return v;
  };
  const g = decimalField('guidanceScale', MAX_GUIDANCE, '3 or 7.5');
  if (g !== undefined) state.guidanceScale = g;
  const eta = decimalField('eta', 1, '0 or 0.5');
  if (eta !== undefined) state.eta = eta;
  const samplingSeed = intField('samplingSeed', 0, MAX_SEED);
  if (samplingSeed !== undefined) state.samplingSeed = samplingSeed;
  const n = intField('n', 1, MAX_IMAGES);
  if (n !== undefined) state.n = n;
  // The model's T is not known yet: the step is clamped to the run's length when it is used.
  const step = intField('step', 0, T_MAX);
  if (step !== undefined) state.step = step;
  const theme = enumField('theme', THEMES);
  if (theme) state.theme = theme;
  const classroom = flag('classroom');
  if (classroom !== undefined) state.classroom = classroom;
  const clip = flag('clipX0');
  if (clip !== undefined) state.clipX0 = clip;
  const method = enumField('guidanceMethod', GUIDANCE_METHOD_NAMES);
  if (method) state.guidanceMethod = method;
  const cscale = decimalField('classifierScale', MAX_CLASSIFIER_SCALE, '5 or 12.5');
  if (cscale !== undefined) state.classifierScale = cscale;
  const variance = enumField('variance', DDPM_VARIANCES);
  if (variance) state.variance = variance;
  // The score samplers' own settings (Song et al. 2021): pc's snr r in [0.01, 1], annealed
  // Langevin's steps per level M.
  const rawSnr = get('snr');
  if (rawSnr !== null) {
    if (!/^\d{1,3}(\.\d{1,17})?$/.test(rawSnr)) {
      bad('snr', rawSnr, 'is not a number like 0.16; using the default');
    } else {
      const v = Math.min(1, Math.max(MIN_SNR, Number(rawSnr)));
      if (v !== Number(rawSnr)) bad('snr', rawSnr, `is outside ${MIN_SNR}..1; using ${v}`);
      state.snr = v;
    }
  }
  const langevinSteps = intField('langevinSteps', 1, MAX_LANGEVIN_STEPS_UI);
  if (langevinSteps !== undefined) state.langevinSteps = langevinSteps;
  return { state, problems };
}

export function formatHash(s: SharedState): string {
  const params = new URLSearchParams();
  params.set(KEY.view, s.view);
  params.set(KEY.dataset, s.dataset);
  params.set(KEY.scheduleKind, s.scheduleKind);
  params.set(KEY.T, String(s.T));
  if (s.linearScaled) params.set(KEY.linearScaled, '1');
  params.set(KEY.t, String(s.t));
  params.set(KEY.imageIndex, String(s.imageIndex));
  params.set(KEY.seed, String(s.seed));
  params.set(KEY.classIndex, String(s.classIndex));
  params.set(KEY.guidanceScale, String(s.guidanceScale));
  params.set(KEY.sampler, s.sampler);
  params.set(KEY.steps, String(s.steps));
  params.set(KEY.eta, String(s.eta));
  params.set(KEY.samplingSeed, String(s.samplingSeed));
  params.set(KEY.n, String(s.n));
  if (s.step !== null) params.set(KEY.step, String(s.step));
  params.set(KEY.theme, s.theme);
  params.set(KEY.classroom, s.classroom ? '1' : '0');
  if (!s.clipX0) params.set(KEY.clipX0, '0');
  if (s.guidanceMethod !== 'classifier-free') {
    params.set(KEY.guidanceMethod, s.guidanceMethod);
    params.set(KEY.classifierScale, String(s.classifierScale));
  }
  if (s.sampler === 'ddpm') params.set(KEY.variance, s.variance);
  if (s.sampler === 'pc') params.set(KEY.snr, String(s.snr));
  if (s.sampler === 'annealed-langevin') params.set(KEY.langevinSteps, String(s.langevinSteps));
  return `#${params.toString()}`;
}
