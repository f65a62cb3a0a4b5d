// The `score2d` command: argument checks and one small run end to end into a temp file.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli';
import { parseScore2dArgs } from './score2d';
import { UsageError } from '../types';

const dir = mkdtempSync(path.join(tmpdir(), 'score2d-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t) },
    out,
    err,
  };
}

describe('score2d arguments', () => {
  it('takes the defaults of the sampler and the overrides given', () => {
    const a = parseScore2dArgs([
      '--data',
      'ring',
      '--sampler',
      'pc',
      '--sde',
      've',
      '--snr',
      '0.2',
      '--out',
      'x.json',
    ]);
    expect(a).not.toBe('help');
    if (a === 'help') return;
    expect(a.settings).toMatchObject({ sampler: 'pc', sde: 've', snr: 0.2, steps: 500 });
    expect(a.n).toBe(4000);
  });

  it('takes --score learned with its objective and training steps', () => {
    const a = parseScore2dArgs([
      '--data',
      'mixture',
      '--sampler',
      'reverse-sde',
      '--score',
      'learned',
      '--objective',
      'dsm',
      '--train-steps',
      '50',
      '--out',
      'x.json',
    ]);
    expect(a).toMatchObject({ score: 'learned', objective: 'dsm', trainSteps: 50 });
    expect(() =>
      parseScore2dArgs([
        '--data',
        'mixture',
        '--sampler',
        'pc',
        '--train-steps',
        '5',
        '--out',
        'x.json',
      ]),
    ).toThrow(/need --score learned/);
  });

  it('refuses bad input with one line', () => {
    expect(() =>
      parseScore2dArgs(['--data', 'nope', '--sampler', 'pc', '--out', 'x.json']),
    ).toThrow(UsageError);
    expect(() =>
      parseScore2dArgs(['--data', 'ring', '--sampler', 'ddpm', '--sde', 've', '--out', 'x.json']),
    ).toThrow(/VP SDE only/);
    expect(() => parseScore2dArgs(['--data', 'ring', '--sampler', 'pc', '--out', 'x.txt'])).toThrow(
      /\.json/,
    );
    expect(() =>
      parseScore2dArgs(['--data', 'ring', '--sampler', 'pc', '--n', '0', '--out', 'x.json']),
    ).toThrow(/--n/);
  });
});

describe('score2d run', () => {
  it('writes {samples, nfe} and prints the fractions and the distance', async () => {
    const out = path.join(dir, 's.json');
    const c = capture();
    const rc = await runCli(
      [
        'score2d',
        '--data',
        'mixture',
        '--sampler',
        'ddpm',
        '--n',
        '500',
        '--steps',
        '200',
        '--seed',
        '3',
        '--out',
        out,
      ],
      c.io,
    );
    expect(rc).toBe(0);
    const json = JSON.parse(readFileSync(out, 'utf8')) as {
      samples: [number, number][];
      nfe: number;
    };
    expect(json.nfe).toBe(200);
    expect(json.samples).toHaveLength(500);
    const big = json.samples.filter(([x, y]) => x + y > 0).length / 500;
    // Binomial std at n = 500 is 0.018: ±0.06 is more than 3 of them.
    expect(Math.abs(big - 0.8)).toBeLessThan(0.06);
    const text = c.out.join('');
    expect(text).toMatch(/\(5, 5\): 0\.\d{3} \/ 0\.800/);
    expect(text).toMatch(/sliced Wasserstein SW2 to 500 data points: \d+\.\d{3}/);
  });

  it('exits 2 on a bad sampler', async () => {
    const c = capture();
    expect(
      await runCli(['score2d', '--data', 'mixture', '--sampler', 'x', '--out', 'y.json'], c.io),
    ).toBe(2);
    expect(c.err.join('')).toMatch(/--sampler must be/);
  });
});
