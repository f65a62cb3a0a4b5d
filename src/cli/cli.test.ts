// In-process tests of argument validation and dispatch.
import { describe, expect, it } from 'vitest';
import { runCli, usage } from './cli';
import { parseIntegerFlag } from './args';
import { COMMANDS } from './commands';
import { parseScheduleArgs } from './commands/schedule';
import { UsageError } from './types';

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
  });
  return { code, stdout, stderr };
}

describe('parseScheduleArgs', () => {
  it('accepts valid options in any order', () => {
    expect(parseScheduleArgs(['--kind', 'linear', '--T', '1000'])).toEqual({
      kind: 'linear',
      T: 1000,
      scaled: false,
    });
    expect(parseScheduleArgs(['--T=4000', '--scaled', '--kind=linear'])).toEqual({
      kind: 'linear',
      T: 4000,
      scaled: true,
    });
    expect(parseScheduleArgs(['--kind', 'cosine', '--T', '2'])).toEqual({
      kind: 'cosine',
      T: 2,
      scaled: false,
    });
    expect(parseScheduleArgs(['--help'])).toBe('help');
    expect(parseScheduleArgs(['-h'])).toBe('help');
  });

  it.each([
    [[], /missing --kind/],
    [['--T', '10'], /missing --kind/],
    [['--kind', 'linear'], /missing --T/],
    [
      ['--kind', 'quadratic', '--T', '10'],
      /--kind must be "linear" or "cosine" \(got "quadratic"\)/,
    ],
    [['--kind', 'linear', '--T', 'abc'], /--T must be an integer >= 2 \(got "abc"\)/],
    [['--kind', 'linear', '--T', '1'], /--T must be an integer >= 2 \(got "1"\)/],
    [['--kind', 'linear', '--T', '2.5'], /--T must be an integer >= 2/],
    [['--kind', 'linear', '--T', '-3'], /argument is ambiguous|--T must be/],
    [['--kind', 'linear', '--T', '1e3'], /--T must be an integer >= 2/],
    [['--kind', 'linear', '--T', ''], /--T must be an integer >= 2 \(got ""\)/],
    [['--kind', 'linear', '--T', '100001'], /--T must be <= 100000/],
    [['--kind', 'cosine', '--T', '100', '--scaled'], /--scaled applies only to --kind linear/],
    [['--kind', 'linear', '--T', '20', '--scaled'], /--scaled needs --T > 20/],
    [['--kind', 'linear', '--T', '10', '--bogus'], /Unknown option '--bogus'/],
    [['--kind', 'linear', '--T', '10', 'extra'], /Unexpected argument 'extra'/],
    [['--kind'], /argument missing/],
    [['--kind', 'linear', '--T', '10', '--scaled=yes'], /does not take an argument/],
  ])('rejects %j', (argv, message) => {
    let error: unknown;
    try {
      parseScheduleArgs(argv);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });

  it('parseIntegerFlag', () => {
    expect(parseIntegerFlag('--n', '007', 1, 10)).toBe(7);
    expect(() => parseIntegerFlag('--n', '99999999999999999999', 1, 10)).toThrow(UsageError);
  });
});

describe('runCli', () => {
  it('prints usage for --help, -h and help (exit 0)', async () => {
    for (const flag of ['--help', '-h', 'help']) {
      const r = await cli(flag);
      expect(r).toEqual({ code: 0, stdout: usage(), stderr: '' });
    }
    for (const c of COMMANDS) expect(usage()).toContain(c.name);
  });

  it.each([
    [[], 'error: missing command (run with --help for usage)\n'],
    [
      ['bogus'],
      `error: unknown command "bogus" (known: ${COMMANDS.map((c) => c.name).join(', ')})\n`,
    ],
    [['--verbose', 'schedule'], 'error: unknown option "--verbose" before the command\n'],
    [
      ['schedule', '--kind', 'linear', '--T', 'abc'],
      'error: --T must be an integer >= 2 (got "abc")\n',
    ],
    [['schedule', '--kind', 'cosine', '--T', '10', '--foo'], "error: Unknown option '--foo'\n"],
  ])('%j → exit 2, one stderr line, empty stdout', async (argv, line) => {
    const r = await cli(...argv);
    expect(r).toEqual({ code: 2, stdout: '', stderr: line });
  });

  it('runs schedule in-process', async () => {
    const r = await cli('schedule', '--kind', 'linear', '--T', '2');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const json = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ kind: 'linear', T: 2, scaled: false, betas: [1e-4, 0.02] });
    expect(r.stdout.endsWith('}\n')).toBe(true);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('schedule --help prints its usage', async () => {
    const r = await cli('schedule', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--kind linear|cosine');
    expect(r.stderr).toBe('');
  });
});

describe('schedule --scaled in-process', () => {
  it('T=1000 scaled equals unscaled', async () => {
    const a = await cli('schedule', '--kind', 'linear', '--T', '1000');
    const b = await cli('schedule', '--kind', 'linear', '--T', '1000', '--scaled');
    const ja = JSON.parse(a.stdout) as Record<string, unknown>;
    const jb = JSON.parse(b.stdout) as Record<string, unknown>;
    expect(jb.scaled).toBe(true);
    expect(jb.betas).toEqual(ja.betas);
    expect(jb.posteriorMeanCoef2).toEqual(ja.posteriorMeanCoef2);
  });
});
