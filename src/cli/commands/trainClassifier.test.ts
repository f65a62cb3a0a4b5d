// `train-classifier` end to end on the real MNIST files, kept small (64 training images, 200 test
// images, a narrow net): it writes a judge that loads and validates, with provenance, accuracy
// and reference statistics; bad arguments exit 2 with one line.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadJudgeDir } from '../../engine/judge/fsStore';
import { loadJudge } from '../../engine/judge/load';
import { runCli } from '../cli';
import { DEFAULT_CIFAR10_JUDGE_DIR, DEFAULT_JUDGE_DIR } from '../paths';
import { parseTrainClassifierArgs } from './trainClassifier';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'train-classifier-cli-'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['train-classifier', ...argv], {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
  });
  return { code, stdout, stderr };
}

const SMALL = ['--channels', '4,8', '--features', '8', '--limit', '64', '--test-limit', '200'];

describe('cli train-classifier', () => {
  it('trains, measures and saves a judge that loads with its reference statistics', async () => {
    const out = path.join(dir, 'judge');
    const args = [...SMALL, '--epochs', '2', '--batch', '16', '--warmup', '2', '--log-every', '4'];
    const r = await cli(...args, '--out', out);
    expect(r.stderr).not.toMatch(/warning|error/);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /^train-classifier: \d+ params, .* 64 train \/ 200 test images, 2 epochs of 4 steps/,
    );
    const steps = [...r.stdout.matchAll(/^step (\d+)\/8 {2}epoch [\d.]+ {2}loss [\d.]+ {2}acc/gm)];
    expect(steps.map((m) => Number(m[1]))).toEqual([4, 8]);
    expect(r.stdout).toMatch(/^test accuracy \d+\.\d\d% on 200 images$/m);
    expect(r.stdout).toMatch(/saved the judge to /);

    const judge = loadJudge(await loadJudgeDir(out));
    const { training, testAccuracy, classifierConfig } = judge.manifest;
    expect(classifierConfig).toMatchObject({ channels: [4, 8], featureDim: 8, numClasses: 10 });
    expect(training).toMatchObject({ epochs: 2, steps: 8, batch: 16, trainImages: 64 });
    expect(training?.command).toMatch(/^npm run cli -- train-classifier --channels 4,8 /);
    expect(training?.machine).toMatch(/cores/);
    expect(testAccuracy?.count).toBe(200);
    expect(testAccuracy?.perClass).toHaveLength(10);
    expect(judge.reference).toMatchObject({ count: 200, featureDim: 8, split: 'test' });
    expect(judge.reference.perClassCount.reduce((a, b) => a + b, 0)).toBe(200);
    // The printed accuracy is the stored one.
    const printed = Number(/test accuracy ([\d.]+)%/.exec(r.stdout)?.[1]);
    expect(printed).toBeCloseTo(100 * (testAccuracy?.overall ?? -1), 2);
    expect(readFileSync(path.join(out, 'reference-stats.json'), 'utf8')).toMatch(/^ {4}\[/m);
    judge.classifier.dispose();

    const again = await cli(...args, '--out', out);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already holds a judge; pass --force/);
  }, 120_000);

  it('trains a CIFAR-10 judge with batch norm, flips and label smoothing', async () => {
    const out = path.join(dir, 'cifar');
    const r = await cli(
      ...['--dataset', 'cifar10', '--channels', '4,8', '--limit', '64', '--test-limit', '200'],
      ...['--epochs', '1', '--batch', '16', '--warmup', '2', '--calibrate', '32', '--minutes', '5'],
      '--out',
      out,
    );
    expect(r.stderr).not.toMatch(/warning|error/);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/batch-norm statistics of 2 layers measured on 32 training images/);
    const judge = loadJudge(await loadJudgeDir(out));
    expect(judge.manifest.dataset).toBe('cifar10');
    expect(judge.manifest.classNames).toContain('airplane');
    expect(judge.manifest.classifierConfig).toMatchObject({
      arch: 'vgg',
      channels: [4, 8],
      featureDim: 8,
      inChannels: 3,
    });
    expect(judge.manifest.training).toMatchObject({
      steps: 4,
      flip: true,
      labelSmoothing: 0.1,
      calibrationImages: 32,
      timeBudgetSeconds: 300,
    });
    // The population statistics were measured (not the initial 0 and 1).
    const mean = await judge.classifier.params.get('s0.bn0.mean')!.data();
    expect(mean.some((v) => v !== 0)).toBe(true);
    expect(judge.reference).toMatchObject({ count: 200, featureDim: 8, dataset: 'cifar10' });
    judge.classifier.dispose();
  }, 120_000);

  it('takes the CIFAR-10 recipe and folder with --dataset cifar10', () => {
    const a = parseTrainClassifierArgs(['--dataset', 'cifar10']);
    expect(a).toMatchObject({
      dataset: 'cifar10',
      out: DEFAULT_CIFAR10_JUDGE_DIR,
      calibrate: 10000,
      training: { flip: true, labelSmoothing: 0.1, timeBudgetSeconds: 0 },
      config: { arch: 'vgg', inChannels: 3, imageSize: 32 },
    });
    expect(
      parseTrainClassifierArgs(['--dataset', 'cifar10', '--flip-average', 'on']),
    ).toMatchObject({ config: { flipAverage: true } });
  });

  it.each([
    [['--epochs', '0'], /--epochs must be an integer >= 1/],
    [['--lr', '0'], /--lr must be > 0/],
    [['--dropout', '1'], /--dropout must be <= 0.95/],
    [['--channels', '8'], /--channels must be 2 comma-separated integers/],
    [['--dataset', 'svhn'], /--dataset must be "mnist" or "cifar10"/],
    [['--dataset', 'cifar10', '--channels', '1,2,3,4,5,6,7'], /--channels must be 1 to 6/],
    [['--dataset', 'cifar10', '--features', '8'], /--features is for mnist/],
    [['--calibrate', '100'], /--calibrate is for --dataset cifar10/],
    [['--flip-average', 'on'], /--flip-average is for --dataset cifar10/],
    [['--flip', 'yes'], /--flip must be "on" or "off"/],
    [['--label-smoothing', '0.6'], /--label-smoothing must be <= 0.5/],
    [['--minutes', '0'], /--minutes must be > 0/],
    [['--channels', '8,x'], /--channels must be an integer/],
    [['--backend', 'webgpu'], /--backend must be "wasm" or "cpu"/],
    [['--test-limit', '1'], /--test-limit must be an integer >= 2/],
    [['--bogus'], /Unknown option/],
  ])('rejects %j with exit 2 and one line', async (argv, message) => {
    const r = await cli(...argv, '--out', path.join(dir, 'never'));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('defaults to the shipped judge folder and prints help', async () => {
    const a = parseTrainClassifierArgs([]);
    expect(a).toMatchObject({ out: DEFAULT_JUDGE_DIR, backend: 'wasm', force: false });
    expect(DEFAULT_JUDGE_DIR).toMatch(/models[/\\]mnist-classifier$/);
    const help = await cli('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: cli train-classifier/);
  });
});
