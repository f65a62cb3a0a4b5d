// The `train` command end to end on the real MNIST files (wasm, tiny preset, 64 images): the loss
// falls, the checkpoint and the resumable state are written, --resume continues exactly, and bad
// arguments exit 2 with one line.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeCheckpoint } from '../../engine/checkpoint';
import { loadCheckpointDir } from '../../engine/checkpoint/fsStore';
import { runCli } from '../cli';
import { parseTrainArgs } from './train';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'train-cli-'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['train', ...argv], {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
  });
  return { code, stdout, stderr };
}

/** The "loss X" of every progress line. */
function losses(stdout: string): number[] {
  return [...stdout.matchAll(/^step \d+\/\d+ {2}loss ([\d.]+) /gm)].map((m) => Number(m[1]));
}

const TINY = ['--dataset', 'mnist', '--preset', 'tiny', '--batch', '2', '--limit', '64'];

describe('cli train', () => {
  it('The CLI trains the MNIST tiny preset and its loss falls by at least 30% within 200 steps', async () => {
    // batch 2 keeps this at ~20-40 s on a loaded 2-core machine; lr 2e-3 with a 20-step warm-up.
    // Lines every 20 steps: the first is the mean loss of steps 1-20, the last of steps 181-200.
    const out = path.join(dir, 'loss');
    const args = [...TINY, '--steps', '200', '--lr', '2e-3', '--warmup', '20', '--seed', '1'];
    const r = await cli(...args, '--log-every', '20', '--save-every', '0', '--out', out);
    expect(r.stderr).not.toMatch(/warning|error/);
    expect(r.code).toBe(0);
    const l = losses(r.stdout);
    expect(l).toHaveLength(10);
    expect(l[9]).toBeLessThanOrEqual(0.7 * l[0]);
    expect(r.stdout).toMatch(/saved step 200 to /);

    const raw = await loadCheckpointDir(out);
    const { manifest } = await decodeCheckpoint(raw.modelJson, raw.weights);
    expect(manifest.ema).toBe(true);
    expect(manifest.trainingSteps).toBe(200);
    expect(manifest.dataset).toBe('mnist');
    expect(manifest.schedule).toEqual({ kind: 'linear', T: 1000, scaled: false });
    expect(manifest.training?.batch).toBe(2);
    expect(manifest.training?.learningRate).toBe(2e-3);
    expect(manifest.training?.command).toContain('npm run cli -- train --dataset mnist');
    expect(manifest.training?.machine).toMatch(/cores/);
    expect(manifest.training?.wallTimeSeconds).toBeGreaterThan(0);
    const state = JSON.parse(readFileSync(path.join(out, 'train-state', 'state.json'), 'utf8'));
    expect(state.step).toBe(200);
  }, 120_000); // ~20 s on an idle 2-core machine; more when it is shared

  it('--workers 2 shares each step with a worker thread and follows the run on one thread', async () => {
    const common = [
      ...TINY,
      '--batch',
      '8',
      '--seed',
      '2',
      '--log-every',
      '1',
      '--save-every',
      '0',
    ];
    const one = await cli(...common, '--steps', '4', '--out', path.join(dir, 'w1'));
    const two = await cli(
      ...common,
      '--steps',
      '4',
      '--out',
      path.join(dir, 'w2'),
      '--workers',
      '2',
    );
    expect(two.code).toBe(0);
    expect(two.stderr).toMatch(/wasm, 2 threads; step 0 -> 4/);
    expect(two.stderr).not.toMatch(/warning|failed/);
    // The tiny preset has no dropout: the same steps up to float summation order.
    const [a, b] = [losses(one.stdout), losses(two.stdout)];
    expect(b).toHaveLength(4);
    // Every step went to both threads (a failed thread would have left the later ones).
    expect(two.stdout.match(/\(4 \+ 4 images on 2 threads\)$/gm)).toHaveLength(4);
    expect(one.stdout).not.toMatch(/threads\)/);
    b.forEach((l, i) => expect(Math.abs(l - a[i])).toBeLessThanOrEqual(2e-4));
    expect(two.stdout).toMatch(/saved step 4 to /);
  }, 120_000);

  it('--resume continues exactly where an uninterrupted run would be', async () => {
    const a = path.join(dir, 'a');
    const b = path.join(dir, 'b');
    const common = [...TINY, '--seed', '4', '--log-every', '2', '--save-every', '0'];
    expect((await cli(...common, '--steps', '4', '--out', a)).code).toBe(0);
    const resumed = await cli('--resume', '--steps', '6', '--log-every', '2', '--out', a);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(/step 4 -> 6/);
    const straight = await cli(...common, '--steps', '6', '--out', b);
    expect(losses(resumed.stdout)).toEqual(losses(straight.stdout).slice(2));
    expect(readFileSync(path.join(a, 'weights.bin'))).toEqual(
      readFileSync(path.join(b, 'weights.bin')),
    );
    const raw = await loadCheckpointDir(a);
    const { manifest } = await decodeCheckpoint(raw.modelJson, raw.weights);
    expect(manifest.training?.command).toMatch(/--steps 4 .* ; .*--resume --steps 6/);

    // A run directory is never overwritten without --resume; resume options must match.
    const again = await cli(...common, '--steps', '6', '--out', a);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already holds a training run/);
    const other = await cli('--resume', '--steps', '8', '--batch', '3', '--out', a);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/--batch 3 differs from the saved run's 2/);
    const missing = await cli('--resume', '--steps', '8', '--out', path.join(dir, 'none'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot resume/);
  });

  it('--schedule cosine and --loss-weight min-snr are saved, kept by --resume; --minutes stops early', async () => {
    const out = path.join(dir, 'cosine');
    const common = ['--log-every', '2', '--save-every', '0', '--out', out];
    const args = [...TINY, '--schedule', 'cosine', '--loss-weight', 'min-snr', '--steps', '2'];
    const r = await cli(...args, ...common);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/cosine schedule, min-snr loss weights/);
    const raw = await loadCheckpointDir(out);
    const { manifest } = await decodeCheckpoint(raw.modelJson, raw.weights);
    expect(manifest.schedule).toEqual({ kind: 'cosine', T: 1000, scaled: false });
    const state = () =>
      JSON.parse(readFileSync(path.join(out, 'train-state', 'state.json'), 'utf8'));
    expect(state().run.trainer.lossWeighting).toBe('min-snr');

    // The schedule is fixed at the start; the weighting carries over unless given.
    const bad = await cli('--resume', '--schedule', 'linear', '--steps', '4', ...common);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--schedule is fixed when a run starts/);
    // 3 ms is less than one step takes: the run stops well before --steps and saves.
    const timed = await cli('--resume', '--steps', '1000', '--minutes', '0.00005', ...common);
    expect(timed.code).toBe(0);
    expect(timed.stderr).toMatch(/cosine schedule, min-snr loss weights/);
    const stopped = /--minutes 0\.00005 reached at step (\d+)/.exec(timed.stderr);
    expect(stopped).not.toBeNull();
    expect(Number(stopped?.[1])).toBeLessThan(10);
    expect(state().step).toBe(Number(stopped?.[1]));
    expect(state().run.trainer.lossWeighting).toBe('min-snr');
  });

  it.each([
    [['--dataset', 'mnist', '--steps', '5', '--schedule', 'quad', '--out', 'x'], /--schedule/],
    [['--dataset', 'mnist', '--steps', '5', '--loss-weight', 'v', '--out', 'x'], /--loss-weight/],
    [['--dataset', 'mnist', '--steps', '5', '--minutes', '-1', '--out', 'x'], /--minutes/],
    [['--steps', '10', '--out', 'x'], /missing --dataset/],
    [['--dataset', 'mnist', '--out', 'x'], /missing --steps/],
    [['--dataset', 'mnist', '--steps', '10'], /missing --out/],
    [['--dataset', 'svhn', '--steps', '10', '--out', 'x'], /--dataset must be one of/],
    [['--dataset', 'mnist', '--preset', 'huge', '--steps', '1', '--out', 'x'], /--preset/],
    [['--dataset', 'mnist', '--steps', '0', '--out', 'x'], /--steps must be an integer >= 1/],
    [['--dataset', 'mnist', '--steps', '5', '--batch', '-1', '--out', 'x'], /--batch/],
    [
      ['--dataset', 'mnist', '--steps', '5', '--lr', 'fast', '--out', 'x'],
      /--lr must be a positive/,
    ],
    [['--dataset', 'mnist', '--steps', '5', '--lr', '0', '--out', 'x'], /--lr must be a positive/],
    [['--dataset', 'mnist', '--steps', '5', '--backend', 'gpu', '--out', 'x'], /--backend/],
    [['--dataset', 'mnist', '--steps', '5', '--limit', '0', '--out', 'x'], /--limit/],
    [['--dataset', 'mnist', '--steps', '5', '--out', 'x', '--bogus'], /Unknown option/],
  ])('rejects %j with exit 2 and one line', async (argv, message) => {
    const r = await cli(...argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('parses defaults and prints help', async () => {
    const a = parseTrainArgs(['--dataset', 'cifar10', '--steps', '3', '--out', 'o']);
    expect(a).toMatchObject({
      backend: 'wasm',
      saveEvery: 1000,
      logEvery: 100,
      resume: false,
      learnSigma: false,
    });
    expect(
      parseTrainArgs(['--dataset', 'mnist', '--steps', '3', '--out', 'o', '--learn-sigma']),
    ).toMatchObject({ learnSigma: true });
    const help = await cli('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: cli train/);
  });
});
