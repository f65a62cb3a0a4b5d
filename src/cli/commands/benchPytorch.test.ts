// `bench --backend pytorch`: the script's JSON becomes a bench row only when its network is the
// tfjs preset (same parameter count and FLOPs); a missing python or torch is reported, not thrown
// past the bench. The real PyTorch run is not part of the tests (PyTorch is not a dependency).
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { flopsPerImage } from '../../model/flops';
import { countParams } from '../../model/params';
import { getPreset } from '../../model/presets';
import { benchPytorch, pytorchRow } from './benchPytorch';

const small = { dataset: 'mnist', name: 'small' } as const;
const config = getPreset('mnist', 'small');
const output = (over: Record<string, unknown> = {}) =>
  JSON.stringify({
    backend: 'pytorch-cpu 1.13.1',
    threads: 1,
    params: countParams(config),
    flopsPerImage: flopsPerImage(config),
    forwardMs: 100,
    trainStepMs: 400,
    ...over,
  });
const dir = mkdtempSync(path.join(tmpdir(), 'bench-pytorch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the PyTorch bench row', () => {
  it('has the bench fields, with GFLOP/s from the same analytic FLOPs', () => {
    const row = pytorchRow(`warming up\n${output()}\n`, small, 64);
    expect(row).toEqual({
      backend: 'pytorch-cpu 1.13.1',
      preset: 'mnist/small',
      batch: 64,
      trainStepMs: 400,
      forwardMs: 100,
      flopsPerImage: flopsPerImage(config),
      trainGflops: Math.round(((3 * flopsPerImage(config) * 64) / 400e6) * 100) / 100,
      threads: 1,
    });
  });

  it('refuses output of another network, and output that is not a row', () => {
    expect(() => pytorchRow(output({ params: 710_000 }), small, 64)).toThrow(/not the tfjs model/);
    expect(() => pytorchRow(output({ flopsPerImage: 1e6 }), small, 64)).toThrow(/not the tfjs/);
    expect(() => pytorchRow('Traceback', small, 64)).toThrow(/no JSON line/);
    expect(() => pytorchRow(output({ trainStepMs: 0 }), small, 64)).toThrow(/unexpected/);
  });

  it('runs the given python and reports a missing one or an unknown preset', async () => {
    const fake = path.join(dir, 'fake-python');
    writeFileSync(fake, `#!/bin/sh\necho '${output()}'\n`);
    chmodSync(fake, 0o755);
    const s = { batch: 64, steps: 1, warmup: 0 };
    expect((await benchPytorch(small, s, fake)).trainStepMs).toBe(400);
    await expect(benchPytorch(small, s, path.join(dir, 'none'))).rejects.toThrow(/not installed/);
    await expect(benchPytorch({ dataset: 'mnist', name: 'compact' }, s, fake)).rejects.toThrow(
      /has no mnist\/compact/,
    );
  });
});
