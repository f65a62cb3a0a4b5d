// End-to-end: spawn the real entry point with tsx, compare with the reference values (fixture).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from './commands';
import {
  REFERENCE_FIELDS,
  expectClose,
  loadReference,
  repoRoot,
} from '../diffusion/test-utils/reference';

const TSX = path.join(repoRoot, 'node_modules/.bin/tsx');
const MAIN = path.join(repoRoot, 'src/cli/main.ts');

function cli(...args: string[]) {
  const r = spawnSync(TSX, [MAIN, ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 30_000 });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const ARRAYS = [
  'betas',
  'alphaBars',
  'alphaBarsPrev',
  'posteriorVariance',
  'posteriorLogVarianceClipped',
  'posteriorMeanCoef1',
  'posteriorMeanCoef2',
];

type Json = Record<string, unknown>;

/** Compares the CLI's arrays with every indexed value of a values.json schedule block. */
function compareWithReference(json: Json, refBlock: Json, where: string): number {
  let n = 0;
  for (const [key, value] of Object.entries(refBlock)) {
    if (key === 'T') continue;
    const point = /^(\w+?)_(\d+)$/.exec(key);
    const refName = point ? point[1] : key;
    const arr = json[REFERENCE_FIELDS[refName]] as number[] | undefined;
    if (!arr) continue; // a field the CLI does not print (checked in src/diffusion tests)
    const entries: [string, unknown][] = point
      ? [[point[2], value]]
      : Object.entries(value as Json);
    for (const [i, v] of entries) expectClose(arr[Number(i)], v as number, `${where}.${key}[${i}]`);
    n += entries.length;
  }
  return n;
}

describe('npm run cli -- schedule (spawned)', () => {
  it.each(['linear', 'cosine'])('%s T=1000 matches values.json to 1e-9', (kind) => {
    const ref = loadReference();
    const r = cli('schedule', '--kind', kind, '--T', '1000');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const json = JSON.parse(lines[0]) as Json;
    expect(json).toMatchObject({ kind, T: 1000, scaled: false });
    for (const f of ARRAYS) expect((json[f] as number[]).length, f).toBe(1000);
    const n = compareWithReference(json, ref[`${kind}_T1000`] as Json, kind);
    expect(n).toBeGreaterThanOrEqual(36);
  });

  it('--scaled T=4000 spans 2.5e-5..0.005', () => {
    const c = JSON.parse(
      cli('schedule', '--scaled', '--kind', 'linear', '--T', '4000').stdout,
    ) as Json;
    expect(c).toMatchObject({ kind: 'linear', T: 4000, scaled: true });
    const betas = c.betas as number[];
    expect(betas).toHaveLength(4000);
    expectClose(betas[0], 2.5e-5, 'β_start');
    expectClose(betas[3999], 0.005, 'β_end');
  });

  it('bad arguments: exit 2, one stderr line, nothing on stdout', () => {
    for (const [args, line] of [
      [
        ['schedule', '--kind', 'linear', '--T', 'abc'],
        'error: --T must be an integer >= 2 (got "abc")',
      ],
      [
        ['bogus'],
        `error: unknown command "bogus" (known: ${COMMANDS.map((c) => c.name).join(', ')})`,
      ],
    ] as const) {
      const r = cli(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`${line}\n`);
    }
  });

  it('--help: usage on stdout, exit 0', () => {
    const r = cli('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('schedule');
    expect(r.stderr).toBe('');
  });

  it('npm run -s cli prints only the JSON (no tfjs banner)', () => {
    const r = spawnSync(
      'npm',
      ['run', '-s', 'cli', '--', 'schedule', '--kind', 'cosine', '--T', '50'],
      {
        cwd: repoRoot,
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout) as Json;
    expect(json.T).toBe(50);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
  });
});
