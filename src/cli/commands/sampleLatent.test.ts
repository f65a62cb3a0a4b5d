// `sample` on a latent diffusion folder end to end: tiny random autoencoder + latent U-Net.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCheckpoint } from '../../engine/checkpoint';
import { initWasmForTests } from '../../engine/backends/testing';
import { encodeAutoencoder } from '../../engine/latent/autoencoderCheckpoint';
import { writeLatentIndexFile, writeModelFiles } from '../../engine/latent/fsStore';
import { LATENT_FORMAT, LATENT_FORMAT_VERSION } from '../../engine/latent/latentIndex';
import { latentUNetConfig } from '../../engine/latent/latentModel';
import { Autoencoder } from '../../model/autoencoder';
import { UNet } from '../../model/unet';
import { runCli } from '../cli';

let dir: string;

beforeAll(async () => {
  await initWasmForTests();
  dir = mkdtempSync(path.join(tmpdir(), 'sample-latent-'));
  const ae = Autoencoder.create(
    { imageSize: 28, inChannels: 1, channels: [2, 4], latentChannels: 4 },
    { seed: 1 },
  );
  const unet = UNet.create(latentUNetConfig([7, 7, 4], 10, 8), { seed: 2, zeroInit: false });
  await writeModelFiles(
    path.join(dir, 'autoencoder'),
    await encodeAutoencoder(ae, {
      autoencoderConfig: ae.config,
      dataset: 'mnist',
      klWeight: 1e-6,
      scaleFactor: 0.7,
    }),
  );
  await writeModelFiles(
    path.join(dir, 'unet'),
    await encodeCheckpoint(unet.params, {
      modelConfig: unet.config,
      schedule: { kind: 'linear', T: 20 },
      dataset: 'mnist',
      classNames: Array.from({ length: 10 }, (_, i) => String(i)),
      trainingSteps: 0,
      ema: true,
      latentShape: [7, 7, 4],
    }),
  );
  await writeLatentIndexFile(dir, {
    format: LATENT_FORMAT,
    formatVersion: LATENT_FORMAT_VERSION,
    scaleFactor: 0.7,
    autoencoder: 'autoencoder',
    unet: 'unet',
  });
  ae.dispose();
  unet.dispose();
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

describe('cli sample on a latent model', () => {
  it('samples latents with guidance and writes decoded 28x28 images', async () => {
    const out = path.join(dir, 'x.npy');
    const r = await cli(
      '--model',
      dir,
      '--class',
      '4',
      '--guidance',
      '3',
      '--n',
      '3',
      '--steps',
      '2',
      '--out',
      out,
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /^sample: 3 images 28x28x1 from 7x7x4 latents \(scale 0\.7000\), ddim 2 steps, .*class 4, s=3, x̂₀ clipping off/,
    );
    const header = readFileSync(out).subarray(10, 80).toString('latin1');
    expect(header).toContain("'shape': (3, 28, 28, 1)");
  });

  it('refuses classifier guidance and a latent.json whose scale the autoencoder does not have', async () => {
    const out = path.join(dir, 'y.png');
    const cg = await cli(
      '--model',
      dir,
      '--class',
      '1',
      '--guidance-method',
      'classifier',
      '--classifier',
      dir,
      '--n',
      '1',
      '--out',
      out,
    );
    expect(cg.code).toBe(2);
    expect(cg.stderr).toMatch(/needs a pixel-space model/);
    const index = path.join(dir, 'latent.json');
    const good = readFileSync(index, 'utf8');
    writeFileSync(index, good.replace('"scaleFactor": 0.7', '"scaleFactor": 0.5'));
    try {
      const r = await cli('--model', dir, '--n', '1', '--out', out);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/trained with scale factor 0.5, but its autoencoder measures 0.7/);
    } finally {
      writeFileSync(index, good);
    }
  });
});
