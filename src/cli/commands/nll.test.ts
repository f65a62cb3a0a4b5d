// The `nll` command end to end on a tiny random checkpoint (T = 10) and the prepared MNIST test set.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCheckpoint } from '../../engine/checkpoint';
import { saveCheckpointDir } from '../../engine/checkpoint/fsStore';
import { initWasmForTests } from '../../engine/backends/testing';
import { getPreset } from '../../model/presets';
import { UNet } from '../../model/unet';
import { runCli } from '../cli';
import { parseNllArgs } from './nll';

let dir: string;

beforeAll(async () => {
  await initWasmForTests();
  dir = mkdtempSync(path.join(tmpdir(), 'nll-cli-'));
  const model = UNet.create(getPreset('mnist', 'tiny'), { seed: 2, zeroInit: false });
  const encoded = await encodeCheckpoint(model.params, {
    modelConfig: model.config,
    schedule: { kind: 'cosine', T: 10 },
    dataset: 'mnist',
    classNames: Array.from({ length: 10 }, (_, i) => String(i)),
    trainingSteps: 0,
    ema: false,
  });
  model.dispose();
  await saveCheckpointDir(path.join(dir, 'm'), encoded);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['nll', ...argv], {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
  });
  return { code, stdout, stderr };
}

describe('cli nll', () => {
  it('validates its flags', () => {
    expect(() => parseNllArgs([])).toThrow(/--model/);
    expect(() => parseNllArgs(['--model', 'x', '--variance', 'large'])).toThrow(/--variance/);
    expect(() => parseNllArgs(['--model', 'x', '--n', '0'])).toThrow(/--n/);
    expect(parseNllArgs(['--model', 'x'])).toMatchObject({
      n: 256,
      variance: null,
      conditional: false,
    });
  });

  it('prints bits/dim with its parts and writes JSON whose parts add up', async () => {
    const json = path.join(dir, 'out.json');
    const r = await cli(
      '--model',
      path.join(dir, 'm'),
      '--n',
      '3',
      '--variance',
      'beta',
      '--json',
      json,
    );
    expect(r.stderr).not.toMatch(/error/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^bits\/dim \d+\.\d{4} ± \d+\.\d{4} \(standard error over 3 images\)/);
    const out = JSON.parse(readFileSync(json, 'utf8')) as {
      bitsPerDim: number;
      decoder: number;
      diffusion: number;
      prior: number;
      perIndexBitsPerDim: number[];
      T: number;
    };
    expect(out.T).toBe(10);
    expect(out.perIndexBitsPerDim).toHaveLength(10);
    expect(out.decoder + out.diffusion + out.prior).toBeCloseTo(out.bitsPerDim, 9);
    const sum = out.perIndexBitsPerDim.reduce((a, b) => a + b, 0) + out.prior;
    expect(sum).toBeCloseTo(out.bitsPerDim, 9);
    // An untrained network is far from the data: many bits per pixel (8 would be uniform).
    expect(out.bitsPerDim).toBeGreaterThan(1);
  });

  it('refuses --variance learned for a model without Σ_θ', async () => {
    const r = await cli('--model', path.join(dir, 'm'), '--n', '1', '--variance', 'learned');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--variance learned needs a model trained with --learn-sigma/);
  });

  it('refuses a missing checkpoint with a clear error', async () => {
    const r = await cli('--model', path.join(dir, 'nope'));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/^error: /);
  });
});
