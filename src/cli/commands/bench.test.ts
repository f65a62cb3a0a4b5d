// The `bench` command in-process: the JSON-lines format on the tiny preset (1 step, so a second
// or two on wasm), the parsing of its options, and bad arguments exiting 2 with one line.
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli';
import { trainGflops } from '../../engine/bench/trainStep';
import { parseBenchArgs } from './bench';

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['bench', ...argv], {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
  });
  return { code, stdout, stderr };
}

const FIELDS = [
  'backend',
  'preset',
  'batch',
  'trainStepMs',
  'forwardMs',
  'flopsPerImage',
  'trainGflops',
  'tensorsBefore',
  'tensorsAfter',
];

describe('cli bench', () => {
  it('prints one JSON object per backend and preset with exactly the documented fields', async () => {
    const r = await cli(
      '--backend',
      'wasm',
      '--preset',
      'mnist/tiny,cifar10/tiny',
      '--batch',
      '2',
      '--steps',
      '1',
      '--warmup',
      '0',
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    const rows = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    rows.forEach((row, i) => {
      // wasm rows add the thread count (one in Node) and whether the SIMD kernels ran.
      expect(Object.keys(row)).toEqual([...FIELDS, 'threads', 'simdKernels']);
      expect(row.threads).toBe(1);
      expect(row.simdKernels).toBe(true);
      expect(row.backend).toBe('wasm');
      expect(row.preset).toBe(['mnist/tiny', 'cifar10/tiny'][i]);
      expect(row.batch).toBe(2);
      for (const f of ['trainStepMs', 'forwardMs', 'flopsPerImage', 'trainGflops']) {
        expect(row[f], f).toBeTypeOf('number');
        expect(row[f] as number, f).toBeGreaterThan(0);
      }
      expect(row.tensorsAfter).toBe(row.tensorsBefore);
      const expected = trainGflops(row.flopsPerImage as number, 2, row.trainStepMs as number);
      expect(row.trainGflops).toBeCloseTo(expected, 1);
    });
  });

  it('parses defaults, comma lists and repeated flags', () => {
    expect(parseBenchArgs([])).toEqual({
      backends: ['wasm'],
      presets: [{ dataset: 'mnist', name: 'small' }],
      batch: 64,
      steps: 5,
      warmup: 2,
      profile: false,
    });
    expect(
      parseBenchArgs([
        '--backend',
        'wasm,cpu',
        '--backend',
        'cpu',
        '--preset',
        'mnist/tiny',
        '--preset=cifar10/small,mnist/tiny',
        '--batch=8',
        '--steps',
        '3',
        '--warmup',
        '0',
        '--profile',
      ]),
    ).toEqual({
      backends: ['wasm', 'cpu'],
      presets: [
        { dataset: 'mnist', name: 'tiny' },
        { dataset: 'cifar10', name: 'small' },
      ],
      batch: 8,
      steps: 3,
      warmup: 0,
      profile: true,
    });
    expect(parseBenchArgs(['-h'])).toBe('help');
  });

  it('adds a per-kernel profile of a forward pass and a step with --profile', async () => {
    const r = await cli(
      ...['--preset', 'mnist/tiny', '--batch', '1', '--steps', '1', '--warmup', '0', '--profile'],
    );
    expect(r.code).toBe(0);
    const row = JSON.parse(r.stdout) as {
      tensorsBefore: number;
      tensorsAfter: number;
      profile: Record<
        'forward' | 'step',
        { kernelMs: number; kernels: { kernel: string; calls: number }[] }
      >;
    };
    expect(row.tensorsAfter).toBe(row.tensorsBefore);
    const names = (p: 'forward' | 'step') => row.profile[p].kernels.map((k) => k.kernel);
    expect(names('forward')).toContain('FusedConv2D');
    expect(names('forward').some((n) => n.endsWith('__op'))).toBe(false);
    // The step's backward pass runs our conv gradient kernels; the forward pass never does.
    expect(names('step')).toContain('Conv2DBackpropFilter');
    expect(names('forward')).not.toContain('Conv2DBackpropFilter');
    expect(row.profile.step.kernelMs).toBeGreaterThan(row.profile.forward.kernelMs);
  });

  it('reports a PyTorch that cannot run on stderr and still runs the other backends', async () => {
    const before = process.env.BENCH_PYTHON;
    process.env.BENCH_PYTHON = '/nonexistent/python3';
    try {
      const r = await cli('--backend', 'pytorch,wasm', '--preset', 'mnist/tiny', '--batch', '2');
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/pytorch backend is unavailable: \/nonexistent\/python3 is not/);
      const rows = r.stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as { backend: string });
      expect(rows.map((row) => row.backend)).toEqual(['wasm']);
    } finally {
      if (before === undefined) delete process.env.BENCH_PYTHON;
      else process.env.BENCH_PYTHON = before;
    }
  });

  it('prints its help', async () => {
    const r = await cli('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: cli bench/);
  });

  it.each([
    [['--backend', 'webgl'], /--backend must be one of wasm, cpu, webgpu, pytorch \(got "webgl"\)/],
    [['--backend', 'wasm,'], /--backend has an empty item/],
    [['--preset', 'mnist'], /--preset must be dataset\/preset/],
    [['--preset', 'svhn/small'], /--preset must be dataset\/preset/],
    [['--preset', 'mnist/huge'], /--preset must be dataset\/preset/],
    [['--batch', '0'], /--batch must be an integer >= 1 \(got "0"\)/],
    [['--batch', 'x'], /--batch must be an integer >= 1/],
    [['--steps', '0'], /--steps must be an integer >= 1/],
    [['--warmup', '-1'], /--warmup|argument is ambiguous/],
    [['--bogus'], /Unknown option '--bogus'/],
    [['extra'], /Unexpected argument 'extra'/],
  ])('rejects %j with exit 2 and one line', async (argv, message) => {
    const r = await cli(...argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
