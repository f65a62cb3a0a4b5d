// `train-noisy-classifier` end to end on the real MNIST files, kept small: it trains through the
// loop the judge uses too (classifierLoop.ts), writes a classifier that loads, and rejects bad flags.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createNoisyClassifier,
  decodeNoisyClassifier,
} from '../../engine/noisyClassifier/checkpoint';
import { loadNoisyClassifierDir } from '../../engine/noisyClassifier/fsStore';
import { runCli } from '../cli';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'train-noisy-classifier-cli-'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['train-noisy-classifier', ...argv], {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
  });
  return { code, stdout, stderr };
}

describe('cli train-noisy-classifier', () => {
  it('trains on noised images, reports accuracy per t-bucket and saves a loadable classifier', async () => {
    const out = path.join(dir, 'noisy');
    const r = await cli(
      ...['--channels', '4,8', '--time-dim', '8', '--limit', '64', '--test-limit', '40'],
      ...['--epochs', '2', '--batch', '16', '--warmup', '2', '--log-every', '4', '--buckets', '2'],
      '--out',
      out,
    );
    expect(r.stderr).not.toMatch(/warning|error/);
    expect(r.code).toBe(0);
    const steps = [...r.stdout.matchAll(/^step (\d+)\/8 {2}epoch [\d.]+ {2}loss [\d.]+ {2}acc/gm)];
    expect(steps.map((m) => Number(m[1]))).toEqual([4, 8]);
    expect(r.stdout).toMatch(/test accuracy per timestep \(chance 10\.0%\)/);
    const raw = await loadNoisyClassifierDir(out);
    const decoded = decodeNoisyClassifier(raw.modelJson, raw.weights);
    expect(decoded.manifest.training).toMatchObject({ epochs: 2, steps: 8, batch: 16 });
    expect(decoded.manifest.accuracyByT).toHaveLength(2);
    createNoisyClassifier(decoded).dispose();
  }, 120_000);

  it.each([
    [['--epochs', '0'], /--epochs must be an integer >= 1/],
    [['--minutes', '0'], /--minutes must be > 0/],
    [['--lr', '2'], /--lr must be <= 1/],
  ])('rejects %j with exit 2 and one line', async (argv, message) => {
    const r = await cli(...argv, '--out', path.join(dir, 'never'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
