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
import { DEFAULT_JUDGE_DIR } from '../paths';
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

  it.each([
    [['--epochs', '0'], /--epochs must be an integer >= 1/],
    [['--lr', '0'], /--lr must be > 0/],
    [['--dropout', '1'], /--dropout must be <= 0.95/],
    [['--channels', '8'], /--channels must be two integers/],
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
