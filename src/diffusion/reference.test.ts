// Every reference value in test-utils/reference-values.json that belongs to the schedule,
// posterior and DDIM code (timestep embeddings are tested next to embedding.ts).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ddimSigma } from './samplers';
import { makeSchedule, type Schedule, type ScheduleKind } from './schedule';
import {
  expectClose,
  loadReference,
  REFERENCE_FIELDS,
  referencePath,
  repoRoot,
} from './test-utils/reference';

const NOT_OURS = /^(timeEmbedding|timestepEmbedding)_/;
const SCHEDULE_KEY = /^(linear|cosine)(_scaled)?_T(\d+)$/;
const DDIM_KEY = /^ddim_eta([0-9.]+)_sigma(2?)_(linear|cosine)(_scaled)?_T(\d+)_t(\d+)$/;
const POINT_KEY = /^([A-Za-z0-9]+)_(linear|cosine)(_scaled)?_T(\d+)_t(\d+)$/;

const schedules = new Map<string, Schedule>();
function scheduleFor(kind: string, scaled: boolean, T: string): Schedule {
  const key = `${kind}/${scaled}/${T}`;
  let s = schedules.get(key);
  if (!s) {
    s = makeSchedule({ kind: kind as ScheduleKind, T: Number(T), scaled });
    schedules.set(key, s);
  }
  return s;
}

function field(s: Schedule, refName: string, where: string): Float64Array {
  const name = REFERENCE_FIELDS[refName];
  if (!name) throw new Error(`${where}: unknown reference field "${refName}"`);
  return (s as unknown as Record<string, Float64Array>)[name];
}

function num(v: unknown, where: string): number {
  if (typeof v !== 'number') throw new Error(`${where}: expected a number, got ${typeof v}`);
  return v;
}

/** Checks one sub-entry of a schedule block; returns how many values were compared. */
function checkScheduleEntry(s: Schedule, sub: string, v: unknown, where: string): number {
  if (sub === 'T') {
    expect(v, `${where}`).toBe(s.T);
    return 1;
  }
  if (sub === 'kind' || sub === 'scaled') {
    expect(v, where).toBe(sub === 'kind' ? s.kind : s.scaled);
    return 1;
  }
  const point = /^(\w+?)_(\d+)$/.exec(sub);
  if (point && typeof v === 'number') {
    expectClose(field(s, point[1], where)[Number(point[2])], v, where);
    return 1;
  }
  const arr = field(s, sub, where);
  if (Array.isArray(v)) {
    expect(v.length, `${where} length`).toBe(arr.length);
    v.forEach((x, i) => expectClose(arr[i], num(x, where), `${where}[${i}]`));
    return v.length;
  }
  if (typeof v === 'object' && v !== null) {
    const entries = Object.entries(v);
    for (const [i, x] of entries) expectClose(arr[Number(i)], num(x, where), `${where}[${i}]`);
    return entries.length;
  }
  throw new Error(`${where}: unhandled reference entry`);
}

/** Checks one top-level key; returns how many values were compared (0 = not ours). */
function checkKey(key: string, value: unknown): number {
  if (key.startsWith('_') || NOT_OURS.test(key)) return 0;
  let m = SCHEDULE_KEY.exec(key);
  if (m) {
    const s = scheduleFor(m[1], Boolean(m[2]), m[3]);
    if (typeof value !== 'object' || value === null) throw new Error(`${key}: not an object`);
    let n = 0;
    for (const [sub, v] of Object.entries(value))
      n += checkScheduleEntry(s, sub, v, `${key}.${sub}`);
    return n;
  }
  m = DDIM_KEY.exec(key);
  if (m) {
    const s = scheduleFor(m[3], Boolean(m[4]), m[5]);
    const t = Number(m[6]);
    const sigma = ddimSigma(s.alphaBars[t], s.alphaBarsPrev[t], Number(m[1]));
    expectClose(m[2] ? sigma * sigma : sigma, num(value, key), key);
    return 1;
  }
  m = POINT_KEY.exec(key);
  if (m) {
    const s = scheduleFor(m[2], Boolean(m[3]), m[4]);
    expectClose(field(s, m[1], key)[Number(m[5])], num(value, key), key);
    return 1;
  }
  throw new Error(`reference key "${key}" is not handled by any test: add a check for it`);
}

describe('reference values (float64, 1e-9 relative / 1e-12 absolute)', () => {
  it(`loads ${referencePath}`, () => {
    expect(Object.keys(loadReference()).length).toBeGreaterThan(0);
  });

  it('no test reads anything outside the repository (such as ../shared)', () => {
    const roots = ['src', 'e2e', 'scripts'].map((d) => path.join(repoRoot, d));
    const walk = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)],
      );
    const files = roots.flatMap(walk);
    const self = fileURLToPath(import.meta.url);
    const outside = files
      .filter((f) => /\.(test|spec)\.tsx?$|test-utils|testing\.ts$|fixtures\.ts$/.test(f))
      .filter((f) => f !== self && /\.\.\/shared|'shared'/.test(readFileSync(f, 'utf8')))
      .map((f) => path.relative(repoRoot, f));
    expect(outside).toEqual([]);
    expect(path.relative(repoRoot, referencePath)).toBe(
      path.join('src', 'diffusion', 'test-utils', 'reference-values.json'),
    );
  });

  it('a missing reference file is an error, not a skip', () => {
    expect(() => loadReference(`${referencePath}.does-not-exist`)).toThrow(
      /reference values missing: expected .*values\.json\.does-not-exist/,
    );
  });

  it('matches every schedule/posterior/DDIM key', () => {
    const ref = loadReference();
    const checked: string[] = [];
    let values = 0;
    for (const [key, value] of Object.entries(ref)) {
      const n = checkKey(key, value);
      if (n > 0) checked.push(key);
      values += n;
    }
    // The keys known when this test was written must all be among those checked.
    expect(checked).toEqual(
      expect.arrayContaining([
        'linear_T1000',
        'cosine_T1000',
        'ddim_eta1_sigma2_linear_T1000_t500',
        'posteriorVariance_linear_T1000_t500',
      ]),
    );
    expect(values).toBeGreaterThanOrEqual(76);
  });

  it('DDIM σ² at η = 1 equals the DDPM posterior variance β̃ (linear T=1000, t=500)', () => {
    const ref = loadReference();
    const s = makeSchedule({ kind: 'linear', T: 1000 });
    const sigma2 = ddimSigma(s.alphaBars[500], s.alphaBars[499], 1) ** 2;
    expectClose(sigma2, num(ref.ddim_eta1_sigma2_linear_T1000_t500, 'ddim'), 'σ²');
    expectClose(sigma2, num(ref.posteriorVariance_linear_T1000_t500, 'β̃'), 'σ² vs β̃');
    expectClose(sigma2, s.posteriorVariance[500], 'σ² vs schedule β̃');
  });
});
