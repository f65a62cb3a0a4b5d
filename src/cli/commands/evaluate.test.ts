// The `eval` command end to end: a tiny random class-conditional U-Net (T = 20) and a narrow
// random judge whose reference statistics come from 200 real MNIST test images, both saved to a
// temp dir and loaded back as the CLI does. Fast: 20 images per scale, 2 DDIM steps, wasm.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../data/dataset';
import { fsSource } from '../../data/fsSource';
import { initWasmForTests } from '../../engine/backends/testing';
import { encodeCheckpoint } from '../../engine/checkpoint';
import { saveCheckpointDir } from '../../engine/checkpoint/fsStore';
import { encodeClassifier } from '../../engine/judge/checkpoint';
import { saveJudgeDir } from '../../engine/judge/fsStore';
import { measureOnDataset } from '../../engine/judge/testSet';
import { Classifier, type ClassifierConfig } from '../../model/classifier';
import { getPreset } from '../../model/presets';
import { UNet } from '../../model/unet';
import { runCli } from '../cli';
import { DEFAULT_CIFAR10_JUDGE_DIR, DEFAULT_DATA_DIR, DEFAULT_JUDGE_DIR } from '../paths';
import { judgeDirFor, parseEvalArgs } from './evaluate';

let dir: string;
let modelDir: string;
let uncondDir: string;
let judgeDir: string;

const JUDGE: ClassifierConfig = {
  imageSize: 28,
  inChannels: 1,
  numClasses: 10,
  channels: [2, 4],
  featureDim: 6,
};

async function saveUNet(to: string, numClasses: number): Promise<void> {
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

async function saveJudge(to: string): Promise<void> {
  const judge = Classifier.create(JUDGE, { seed: 1 });
  const meta = {
    classifierConfig: JUDGE,
    dataset: 'mnist' as const,
    classNames: Array.from({ length: 10 }, (_, i) => String(i)),
  };
  const encoded = await encodeClassifier(judge, meta);
  const test = await loadDataset(fsSource(DEFAULT_DATA_DIR), 'mnist', 'test', { limit: 200 });
  const { reference } = await measureOnDataset(judge, test, encoded.modelJson.weightsCrc32 ?? '');
  judge.dispose();
  await saveJudgeDir(to, { ...encoded, referenceStats: reference });
}

beforeAll(async () => {
  await initWasmForTests();
  dir = mkdtempSync(path.join(tmpdir(), 'eval-cli-'));
  modelDir = path.join(dir, 'model');
  uncondDir = path.join(dir, 'uncond');
  judgeDir = path.join(dir, 'judge');
  await saveUNet(modelDir, 10);
  await saveUNet(uncondDir, 0);
  await saveJudge(judgeDir);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['eval', ...argv], {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
  });
  return { code, stdout, stderr };
}

const FAST = ['--n', '20', '--steps', '2', '--batch', '10'];

describe('cli eval', () => {
  it('prints one row per guidance scale and writes the JSON', async () => {
    const json = path.join(dir, 'eval.json');
    const r = await cli(
      '--model',
      modelDir,
      '--judge',
      judgeDir,
      '--guidance',
      '0,1',
      '--guidance',
      '4',
      ...FAST,
      '--json',
      json,
    );
    expect(r.stderr).not.toMatch(/error|warning/);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /^eval: .* 20 images per scale, ddim 2 steps, eta 0, NFE 2, x̂₀ clipping on, seed 0, wasm\n/,
    );
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ +s +accuracy +FD +diversity +s\/image$/);
    expect(lines).toHaveLength(4);
    const rows = lines.slice(1).map((l) => l.trim().split(/ +/));
    expect(rows.map((row) => Number(row[0]))).toEqual([0, 1, 4]);
    for (const row of rows) {
      expect(row[1]).toMatch(/^\d+\.\d%$/);
      expect(Number(row[2])).toBeGreaterThan(0);
      expect(Number(row[3])).toBeGreaterThan(0);
      expect(Number(row[4])).toBeGreaterThan(0);
    }

    const out = JSON.parse(readFileSync(json, 'utf8'));
    expect(out.results).toHaveLength(3);
    expect(out.settings).toMatchObject({
      steps: 2,
      samplesPerScale: 20,
      batch: 10,
      seed: 0,
      clipX0: true,
    });
    expect(out.guidanceConvention).toMatch(/s = 0 is unconditional/);
    expect(out.command).toMatch(/^npm run cli -- eval --model /);
    const first = out.results[0];
    expect(first.accuracy.perClass).toHaveLength(10);
    expect(first.diversity.perClass).toHaveLength(10);
    expect(first.images).toBeUndefined();
    // The table shows the JSON's numbers.
    expect(Number(rows[2][2])).toBeCloseTo(out.results[2].frechetDistance, 3);
    expect(rows[1][1]).toBe(`${(100 * out.results[1].accuracy.overall).toFixed(1)}%`);
  }, 120_000);

  it('--nfe prints quality against cost, one row per (budget, sampler), same noise', async () => {
    const json = path.join(dir, 'nfe.json');
    const base = ['--model', modelDir, '--judge', judgeDir, '--n', '20', '--batch', '10'];
    const r = await cli(...base, '--nfe', '2,4', '--sampler', 'ddim,pf-ode,pc', '--json', json);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/20 images per \(sampler, NFE\), s=3/);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^sampler +NFE +steps +accuracy +FD +s\/image$/);
    const rows = lines.slice(1).map((l) => l.trim().split(/ +/));
    // NFE: ddim K, pf-ode 2K − 1 (largest within the budget), pc 2K.
    expect(rows.map((row) => row.slice(0, 3).join(' '))).toEqual([
      'ddim 2 2',
      'pf-ode 1 1',
      'pc 2 1',
      'ddim 4 4',
      'pf-ode 3 2',
      'pc 4 2',
    ]);
    const out = JSON.parse(readFileSync(json, 'utf8'));
    expect(out.results).toHaveLength(6);
    expect(Number(rows[3][4])).toBeCloseTo(out.results[3].frechetDistance, 3);
  }, 120_000);

  it('is reproducible for a seed', async () => {
    const args = ['--model', modelDir, '--judge', judgeDir, '--guidance', '2', ...FAST];
    const a = await cli(...args, '--seed', '3');
    const b = await cli(...args, '--seed', '3');
    const fd = (s: string) => s.trim().split('\n')[1].trim().split(/ +/).slice(0, 4);
    expect(fd(a.stdout)).toEqual(fd(b.stdout));
  }, 120_000);

  it.each([
    [[], /missing --model/],
    [['--model', 'm', '--guidance', 'x'], /--guidance must be a number/],
    [['--model', 'm', '--guidance', '1,,2'], /--guidance must be a number/],
    [['--model', 'm', '--n', '1'], /--n must be an integer >= 2/],
    [['--model', 'm', '--eta=-1'], /--eta must be >= 0/],
    [['--model', 'm', '--sampler', 'pc', '--steps', '2', '--snr', '2'], /--snr must be <= 1/],
    [['--model', 'm', '--nfe', '0'], /--nfe must be an integer >= 1/],
    [['--model', 'm', '--nfe', '10', '--sampler', 'ddpm'], /--sampler must be "ddim" or/],
    [['--model', 'm', '--nfe', '10', '--steps', '5'], /cannot be combined with --nfe/],
    [['--model', 'm', '--nfe', '10', '--guidance', '1,3'], /one --guidance scale/],
    [['--model', 'm', '--backend', 'webgpu'], /--backend must be "wasm" or "cpu"/],
    [['--model', 'm', '--bogus'], /Unknown option/],
  ])('rejects %j with exit 2 and one line', async (argv, message) => {
    const r = await cli(...argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it.each([
    [() => [uncondDir, '--judge', judgeDir], /--model has 0 classes but the judge 10/],
    [() => [modelDir, '--judge', judgeDir, '--steps', '21'], /--steps must be <= T = 20/],
    [() => [modelDir, '--judge', judgeDir, '--n', '19'], /--n must be >= 20/],
  ])('checks the arguments against the model and judge (exit 2)', async (argv, message) => {
    const r = await cli('--model', ...argv());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('fails with exit 1 naming a missing judge', async () => {
    const r = await cli('--model', modelDir, '--judge', path.join(dir, 'none'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: judge directory .*none does not exist\n$/);
  });

  it('parses defaults and lists, and prints help', async () => {
    // No --judge: the judge of the model's data set, chosen once the model is read.
    expect(judgeDirFor('mnist')).toBe(DEFAULT_JUDGE_DIR);
    expect(judgeDirFor('cifar10')).toBe(DEFAULT_CIFAR10_JUDGE_DIR);
    expect(() => judgeDirFor('svhn')).toThrow(/no judge for svhn images: pass --judge DIR/);
    expect(parseEvalArgs(['--model', 'm'])).toMatchObject({
      judge: null,
      scales: [0, 1, 2, 3, 5, 7.5],
      n: 500,
      steps: null,
      eta: 0,
      clipX0: true,
      batch: 50,
      backend: 'wasm',
      json: null,
    });
    expect(parseEvalArgs(['--model', 'm', '--no-clip-x0'])).toMatchObject({ clipX0: false });
    expect(() => parseEvalArgs(['--model', 'm', '--clip-x0', '--no-clip-x0'])).toThrow(
      /contradict/,
    );
    expect(parseEvalArgs(['--model', 'm'])).toMatchObject({ sampler: 'ddim', variance: null });
    expect(
      parseEvalArgs([
        '--model',
        'm',
        '--sampler',
        'ddpm',
        '--steps',
        '25',
        '--variance',
        'learned',
      ]),
    ).toMatchObject({ sampler: 'ddpm', steps: 25, variance: 'learned' });
    expect(() => parseEvalArgs(['--model', 'm', '--variance', 'beta'])).toThrow(
      /--variance applies only to --sampler ddpm/,
    );
    expect(() => parseEvalArgs(['--model', 'm', '--sampler', 'ddpm', '--variance', 'x'])).toThrow(
      /--variance must be/,
    );
    expect(() => parseEvalArgs(['--model', 'm', '--sampler', 'ddpm', '--eta', '1'])).toThrow(
      /--eta applies only/,
    );
    const a = parseEvalArgs(['--model', 'm', '--guidance', '1.5, 2', '--guidance=-1']);
    expect(a !== 'help' && a.scales).toEqual([1.5, 2, -1]);
    const help = await cli('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: cli eval --model PATH/);
  });
});
