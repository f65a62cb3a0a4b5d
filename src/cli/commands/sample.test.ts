// The `sample` command end to end on tiny random checkpoints (T = 20) saved to a temp dir.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCheckpoint } from '../../engine/checkpoint';
import { saveCheckpointDir } from '../../engine/checkpoint/fsStore';
import { initWasmForTests } from '../../engine/backends/testing';
import { getPreset } from '../../model/presets';
import { UNet } from '../../model/unet';
import { runCli } from '../cli';
import { parseSampleArgs, sampleLabels } from './sample';

let dir: string;
let condDir: string;
let uncondDir: string;

async function saveTiny(to: string, numClasses: number): Promise<void> {
  const model = UNet.create(
    { ...getPreset('mnist', 'tiny'), numClasses },
    { seed: 2, zeroInit: false },
  );
  const encoded = await encodeCheckpoint(model.params, {
    modelConfig: model.config,
    schedule: { kind: 'linear', T: 20 },
    dataset: 'mnist',
    classNames: Array.from({ length: numClasses }, (_, i) => String(i)),
    trainingSteps: 0,
    ema: false,
  });
  model.dispose();
  await saveCheckpointDir(to, encoded);
}

beforeAll(async () => {
  await initWasmForTests();
  dir = mkdtempSync(path.join(tmpdir(), 'sample-cli-'));
  condDir = path.join(dir, 'cond');
  uncondDir = path.join(dir, 'uncond');
  await saveTiny(condDir, 10);
  await saveTiny(uncondDir, 0);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['sample', ...argv], {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
  });
  return { code, stdout, stderr };
}

/** Shape from a .npy v1.0 header, and the float32 payload. */
function readNpy(file: string): { shape: number[]; data: Float32Array } {
  const bytes = readFileSync(file);
  const headerLen = bytes.readUInt16LE(8);
  const header = bytes.subarray(10, 10 + headerLen).toString('latin1');
  const shape = (/'shape': \(([^)]*)\)/.exec(header)?.[1] ?? '')
    .split(',')
    .filter((s) => s.trim() !== '')
    .map(Number);
  const payload = bytes.subarray(10 + headerLen);
  const data = new Float32Array(
    payload.buffer.slice(payload.byteOffset, payload.byteOffset + payload.byteLength),
  );
  return { shape, data };
}

describe('cli sample', () => {
  it('writes a PNG grid (DDIM defaults, unconditional)', async () => {
    const out = path.join(dir, 'grid.png');
    const r = await cli('--model', condDir, '--n', '3', '--steps', '2', '--out', out);
    expect(r).toMatchObject({ code: 0, stdout: '' });
    expect(r.stderr).toMatch(
      /^sample: 3 images 28x28x1, ddim 2 steps, eta 0, NFE 2, class null, s=1, x̂₀ clipping on, seed 0, wasm: .* s\/image -> .*grid\.png\n$/,
    );
    const png = decode(readFileSync(out));
    // 3 images → 2 × 2 cells of 28 px with 2 px padding: 2·30 + 2 = 62.
    expect([png.width, png.height, png.channels, png.depth]).toEqual([62, 62, 1, 8]);
  });

  it('writes .npy [N, H, W, C] in [0, 1], reproducibly (guided, DDIM η > 0)', async () => {
    const args = [
      '--model',
      condDir,
      '--n',
      '2',
      '--class',
      '4',
      '--guidance',
      '2.5',
      '--steps',
      '2',
      '--eta',
      '0.5',
      '--seed',
      '9',
    ];
    const a = path.join(dir, 'a.npy');
    const b = path.join(dir, 'b.npy');
    expect((await cli(...args, '--out', a)).code).toBe(0);
    expect((await cli(...args, '--out', b)).code).toBe(0);
    const { shape, data } = readNpy(a);
    expect(shape).toEqual([2, 28, 28, 1]);
    expect(data.length).toBe(2 * 28 * 28);
    expect(data.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(new Set(data).size).toBeGreaterThan(10);
    expect(readFileSync(b).equals(readFileSync(a))).toBe(true);
  });

  it('--no-clip-x0 turns x̂₀ clipping off (default on); both flags together are an error', async () => {
    const base = ['--model', condDir, '--n', '2', '--class', '4', '--steps', '3', '--seed', '5'];
    expect(parseSampleArgs([...base, '--out', 'x.png'])).toMatchObject({ clipX0: true });
    expect(parseSampleArgs([...base, '--out', 'x.png', '--clip-x0'])).toMatchObject({
      clipX0: true,
    });
    expect(parseSampleArgs([...base, '--out', 'x.png', '--no-clip-x0'])).toMatchObject({
      clipX0: false,
    });
    expect(() => parseSampleArgs([...base, '--out', 'x.png', '--clip-x0', '--no-clip-x0'])).toThrow(
      /--clip-x0 and --no-clip-x0 contradict each other/,
    );
    const on = path.join(dir, 'clip-on.npy');
    const off = path.join(dir, 'clip-off.npy');
    expect((await cli(...base, '--out', on)).stderr).toMatch(/x̂₀ clipping on/);
    const r = await cli(...base, '--no-clip-x0', '--out', off);
    expect(r.stderr).toMatch(/x̂₀ clipping off/);
    // A random network's x̂₀ leaves [−1, 1] at the first step, so the two runs part ways there.
    const [a, b] = [readNpy(on).data, readNpy(off).data];
    let differ = 0;
    for (let i = 0; i < a.length; i++) if (Math.abs(a[i] - b[i]) > 1e-3) differ++;
    expect(differ).toBeGreaterThan(10);
  });

  it('runs DDPM over all T steps on an unconditional model', async () => {
    const out = path.join(dir, 'ddpm.npy');
    const r = await cli('--model', uncondDir, '--n', '1', '--sampler', 'ddpm', '--out', out);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/ddpm 20 steps/);
    expect(readNpy(out).shape).toEqual([1, 28, 28, 1]);
    // Respaced DDPM on 4 of the 20 steps.
    const few = await cli(
      '--model',
      uncondDir,
      '--n',
      '1',
      '--sampler',
      'ddpm',
      '--steps',
      '4',
      '--out',
      out,
    );
    expect(few.code).toBe(0);
    expect(few.stderr).toMatch(/ddpm 4 steps/);
  });

  it.each([
    ['pf-ode', 'NFE 5'],
    ['euler-maruyama', 'NFE 3'],
    ['pc', 'NFE 6'],
    ['annealed-langevin', 'NFE 3'],
  ])('runs the score-based sampler %s and reports its NFE', async (sampler, nfe) => {
    const out = path.join(dir, `${sampler}.npy`);
    const r = await cli(
      '--model',
      uncondDir,
      '--n',
      '1',
      '--sampler',
      sampler,
      '--steps',
      '3',
      '--out',
      out,
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`${sampler} 3 levels`);
    expect(r.stderr).toContain(nfe);
    expect(readNpy(out).shape).toEqual([1, 28, 28, 1]);
  });

  it.each([
    [['--n', '2', '--out', 'x.png'], /missing --model/],
    [['--model', 'm', '--out', 'x.png'], /missing --n/],
    [['--model', 'm', '--n', '2'], /missing --out/],
    [['--model', 'm', '--n', '2', '--out', 'x.jpg'], /--out must end in \.png or \.npy/],
    [['--model', 'm', '--n', '0', '--out', 'x.png'], /--n must be an integer >= 1/],
    [['--model', 'm', '--n', '2000', '--out', 'x.png'], /--n must be <= 1024/],
    [
      ['--model', 'm', '--n', '2', '--out', 'x.png', '--sampler', 'euler'],
      /--sampler must be "ddpm" or "ddim" or "euler-maruyama" or "pf-ode" or "pc" or "annealed-langevin"/,
    ],
    [['--model', 'm', '--n', '2', '--out', 'x.png', '--guidance', '3'], /--guidance needs --class/],
    [
      ['--model', 'm', '--n', '2', '--out', 'x.png', '--class', '1', '--guidance', 'abc'],
      /--guidance must be a number/,
    ],
    [
      ['--model', 'm', '--n', '2', '--out', 'x.png', '--sampler', 'pf-ode', '--eta', '1'],
      /--eta applies only to --sampler ddim/,
    ],
    [
      ['--model', 'm', '--n', '2', '--out', 'x.png', '--sampler', 'pc', '--snr', '0'],
      /--snr must be > 0/,
    ],
    [['--model', 'm', '--n', '2', '--out', 'x.png', '--snr', '0.1'], /--snr applies only to/],
    [
      [
        '--model',
        'm',
        '--n',
        '2',
        '--out',
        'x.png',
        '--sampler',
        'annealed-langevin',
        '--langevin-steps',
        '0',
      ],
      /--langevin-steps must be an integer >= 1/,
    ],
    [
      ['--model', 'm', '--n', '2', '--out', 'x.png', '--sampler', 'ddpm', '--eta', '1'],
      /--eta applies only to --sampler ddim/,
    ],
    [
      ['--model', 'm', '--n', '2', '--out', 'x.png', '--variance', 'learned'],
      /--variance applies only to --sampler ddpm/,
    ],
    [
      ['--model', 'm', '--n', '2', '--out', 'x.png', '--sampler', 'ddpm', '--variance', 'big'],
      /--variance must be/,
    ],
    [['--model', 'm', '--n', '2', '--out', 'x.png', '--eta=-1'], /--eta must be >= 0/],
    [
      ['--model', 'm', '--n', '2', '--out', 'x.png', '--backend', 'webgpu'],
      /--backend must be "wasm" or "cpu"/,
    ],
    [
      ['--model', 'm', '--n', '2', '--out', 'x.png', '--class', '-1'],
      /argument is ambiguous|--class must be/,
    ],
    [['--model', 'm', '--n', '2', '--out', 'x.png', '--bogus'], /Unknown option '--bogus'/],
  ])('rejects %j with exit 2 and one line', async (argv, message) => {
    expect(() => parseSampleArgs(argv)).toThrow(message);
    const r = await cli(...argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: [^\n]*\n$/);
  });

  it.each([
    [() => [condDir, '--class', '10'], /--class must be in \[0, 9\] \(got 10\)/],
    [() => [uncondDir, '--class', '0'], /the model is unconditional/],
    [() => [condDir, '--steps', '21'], /--steps must be <= T = 20/],
    [
      () => [condDir, '--sampler', 'ddpm', '--variance', 'learned'],
      /--variance learned needs a model trained with --learn-sigma/,
    ],
  ])('checks the arguments against the model (exit 2)', async (model, message) => {
    const r = await cli('--model', ...model(), '--n', '1', '--out', path.join(dir, 'never.png'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('fails with exit 1 on a missing checkpoint', async () => {
    const r = await cli(
      '--model',
      path.join(dir, 'nope'),
      '--n',
      '1',
      '--out',
      path.join(dir, 'y.png'),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: .*does not exist\n$/);
  });

  it('--per-class draws N/K images of each class, one class per PNG row', async () => {
    const out = path.join(dir, 'per-class.png');
    const r = await cli(
      ...['--model', condDir, '--n', '20', '--per-class', '--guidance', '2', '--steps', '1'],
      ...['--out', out],
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/class 0\.\.9 \(2 each\), s=2,/);
    const png = decode(readFileSync(out));
    // 2 columns, 10 rows of 28 px cells with 2 px padding.
    expect([png.width, png.height]).toEqual([2 * 30 + 2, 10 * 30 + 2]);
    const args = parseSampleArgs(['--model', 'm', '--n', '6', '--per-class', '--out', 'x.png']);
    expect(args !== 'help' && sampleLabels(args, 3)).toEqual([0, 0, 1, 1, 2, 2]);
  });

  it.each([
    [['--n', '15', '--per-class'], /multiple of the 10 classes \(got 15\)/],
    [['--n', '10', '--per-class', '--class', '3'], /give it or --class, not both/],
  ])('refuses a bad --per-class (exit 2)', async (flags, message) => {
    const r = await cli('--model', condDir, ...flags, '--out', path.join(dir, 'never.png'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('refuses --per-class on an unconditional model (exit 2)', async () => {
    const r = await cli(
      ...['--model', uncondDir, '--n', '10', '--per-class', '--out', path.join(dir, 'n.png')],
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unconditional/);
  });

  it('prints help on stdout', async () => {
    const r = await cli('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: cli sample --model PATH --n N --out FILE/);
  });
});
