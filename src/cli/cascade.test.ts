// The cascade's command-line flags (train --cascade-stage/--aug/--aug-strength, sample and eval
// --aug-level/--sr) and `sample` end to end on the shipped models/mnist-cascade (2 DDIM steps).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initWasmForTests } from '../engine/backends/testing';
import { repoRoot } from '../diffusion/test-utils/reference';
import { runCli } from './cli';
import { parseCascadeArgs, parseTrainArgs } from './commands/train';

let dir: string;
const cascade = path.join(repoRoot, 'models/mnist-cascade');

async function cli(argv: string[]) {
  let stderr = '';
  let stdout = '';
  const code = await runCli(argv, {
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
  });
  return { code, stdout, stderr };
}

beforeAll(async () => {
  await initWasmForTests();
  dir = mkdtempSync(path.join(tmpdir(), 'cascade-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('train --cascade-stage', () => {
  it('parses the stage, the augmentation and its strength, with defaults', () => {
    expect(parseCascadeArgs(undefined, undefined, undefined)).toBeNull();
    expect(parseCascadeArgs('base', undefined, undefined)).toEqual({
      stage: 'base',
      augmentation: 'none',
      augStrength: 0,
    });
    expect(parseCascadeArgs('sr', undefined, undefined)).toEqual({
      stage: 'sr',
      augmentation: 'noise',
      augStrength: 0.5,
    });
    expect(parseCascadeArgs('sr', 'blur', '0.6')?.augStrength).toBe(0.6);
    expect(parseCascadeArgs('sr', 'none', undefined)?.augStrength).toBe(0);
  });

  it('rejects bad combinations with a clear message', () => {
    expect(() => parseCascadeArgs('top', undefined, undefined)).toThrow(/--cascade-stage must/);
    expect(() => parseCascadeArgs(undefined, 'noise', undefined)).toThrow(/need --cascade-stage/);
    expect(() => parseCascadeArgs('base', 'noise', undefined)).toThrow(/not base/);
    expect(() => parseCascadeArgs('sr', 'sharpen', undefined)).toThrow(/--aug must/);
    expect(() => parseCascadeArgs('sr', 'noise', '1.5')).toThrow(/--aug-strength.*\(0, 1\]/);
    expect(() => parseCascadeArgs('sr', 'blur', 'x')).toThrow(/--aug-strength/);
    expect(() => parseCascadeArgs('sr', 'none', '0.2')).toThrow(/takes no --aug-strength/);
    const base = ['--cascade-stage', 'base', '--steps', '1', '--out', dir];
    expect(() => parseTrainArgs([...base, '--dataset', 'cifar10'])).toThrow(/MNIST cascades only/);
    expect(() => parseTrainArgs([...base, '--dataset', 'mnist', '--preset', 'small'])).toThrow(
      /--preset must be one of "tiny", "compact"/,
    );
    expect(() => parseTrainArgs([...base, '--dataset', 'mnist', '--learn-sigma'])).toThrow(
      /--learn-sigma/,
    );
  });
});

describe('sample and eval on a cascade', () => {
  it('samples 28×28 digits through both stages into a .npy', async () => {
    const out = path.join(dir, 'x.npy');
    const r = await cli([
      'sample',
      '--model',
      cascade,
      '--class',
      '4',
      '--guidance',
      '3',
      '--n',
      '2',
      '--steps',
      '2',
      '--aug-level',
      '0.2',
      '--out',
      out,
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /cascade 2 images 28x28x1 \(base 14x14 -> sr, noise augmentation, level 0.2\)/,
    );
    const header = readFileSync(out).subarray(0, 128).toString('latin1');
    expect(header).toContain("'shape': (2, 28, 28, 1)");
  });

  it('truncated augmentation hands over the base at the first DDIM step with t ≤ s', async () => {
    const out = path.join(dir, 't.npy');
    const argv = ['--class', '1', '--n', '1', '--steps', '4', '--aug-level', '0.5', '--out', out];
    const r = await cli(['sample', '--model', cascade, '--truncated', ...argv]);
    expect(r.code).toBe(0);
    // DDIM 4 steps visit t = 999, 666, 333, 0.
    expect(r.stderr).toContain('truncated at t = 333');
    const ddpm = await cli([
      'sample',
      '--model',
      cascade,
      '--truncated',
      '--sampler',
      'pc',
      ...argv,
    ]);
    expect(ddpm.code).toBe(2);
    expect(ddpm.stderr).toMatch(/--truncated works with --sampler ddim or ddpm/);
    const noaug = await cli([
      'sample',
      '--model',
      cascade,
      '--sr',
      'noaug',
      '--truncated',
      '--n',
      '1',
      '--out',
      out,
    ]);
    expect(noaug.code).toBe(2);
    expect(noaug.stderr).toMatch(/--truncated needs an SR model trained with noise/);
  });

  it('refuses cascade flags out of place and out of range', async () => {
    const base = ['--n', '1', '--steps', '1', '--out', path.join(dir, 'y.npy')];
    const tooHigh = await cli(['sample', '--model', cascade, '--aug-level', '2', ...base]);
    expect(tooHigh.code).toBe(2);
    expect(tooHigh.stderr).toMatch(/--aug-level: noise augmentation level must be in \[0, 1\]/);
    const notCascade = await cli([
      'sample',
      '--model',
      path.join(repoRoot, 'models/mnist-cfg'),
      '--aug-level',
      '0.1',
      ...base,
    ]);
    expect(notCascade.code).toBe(2);
    expect(notCascade.stderr).toMatch(/are for cascades/);
    const badSr = await cli(['sample', '--model', cascade, '--sr', 'both', ...base]);
    expect(badSr.code).toBe(2);
    expect(badSr.stderr).toMatch(/--sr must be/);
    const evalBad = await cli([
      'eval',
      '--model',
      path.join(repoRoot, 'models/mnist-cfg'),
      '--aug-level',
      '0.1',
    ]);
    expect(evalBad.code).toBe(2);
    expect(evalBad.stderr).toMatch(/--aug-level is for cascades/);
  });
});
