import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Autoencoder, type AutoencoderConfig } from '../../model/autoencoder';
import { UNet } from '../../model/unet';
import { encodeCheckpoint } from '../checkpoint';
import { CheckpointError } from '../checkpoint/errors';
import { decodeAutoencoder, encodeAutoencoder } from './autoencoderCheckpoint';
import { LATENT_FORMAT, LATENT_FORMAT_VERSION, validateLatentIndex } from './latentIndex';
import {
  decodeLatentModel,
  decodeScaledLatents,
  disposeLatentModel,
  latentUNetConfig,
  type RawLatentFiles,
} from './latentModel';

const AE: AutoencoderConfig = { imageSize: 28, inChannels: 1, channels: [2, 4], latentChannels: 4 };
const SCALE = 0.8;

async function files(opts: { scale?: number; latentShape?: [number, number, number] } = {}) {
  const ae = Autoencoder.create(AE, { seed: 1 });
  const unet = UNet.create(latentUNetConfig([7, 7, 4], 10, 8), { seed: 2 });
  const aeFiles = await encodeAutoencoder(ae, {
    autoencoderConfig: AE,
    dataset: 'mnist',
    klWeight: 1e-6,
    scaleFactor: SCALE,
    testMse: 0.02,
    testCount: 10,
  });
  const unetFiles = await encodeCheckpoint(unet.params, {
    modelConfig: unet.config,
    schedule: { kind: 'linear', T: 1000 },
    dataset: 'mnist',
    classNames: Array.from({ length: 10 }, (_, i) => String(i)),
    trainingSteps: 0,
    ema: true,
    latentShape: opts.latentShape ?? [7, 7, 4],
  });
  ae.dispose();
  unet.dispose();
  const raw: RawLatentFiles = {
    index: {
      format: LATENT_FORMAT,
      formatVersion: LATENT_FORMAT_VERSION,
      scaleFactor: opts.scale ?? SCALE,
      autoencoder: 'autoencoder',
      unet: 'unet',
    },
    autoencoder: aeFiles,
    unet: unetFiles,
  };
  return raw;
}

describe('latent model files', () => {
  it('round-trips the autoencoder and the U-Net, decodes latents, no tensor leaks', async () => {
    const before = tf.memory().numTensors;
    const m = await decodeLatentModel(await files());
    expect(m.scaleFactor).toBe(SCALE);
    expect(m.unet.config.imageSize).toBe(7);
    expect(m.autoencoderManifest.testMse).toBe(0.02);
    const z = new Float32Array(2 * 7 * 7 * 4).fill(0.4);
    const x = await decodeScaledLatents(m.autoencoder, z, 2, SCALE);
    expect(x.length).toBe(2 * 28 * 28);
    expect(Math.max(...x)).toBeLessThanOrEqual(1);
    expect(Math.min(...x)).toBeGreaterThanOrEqual(-1);
    disposeLatentModel(m);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('decodes D(z / scale): the same as decoding the unscaled latent directly', async () => {
    const m = await decodeLatentModel(await files());
    const z = Float32Array.from({ length: 7 * 7 * 4 }, (_, i) => Math.sin(i));
    const a = await decodeScaledLatents(m.autoencoder, z, 1, SCALE);
    const direct = tf.tidy(() =>
      tf.clipByValue(
        m.autoencoder.decode(tf.div(tf.tensor4d(z, [1, 7, 7, 4]), SCALE) as tf.Tensor4D),
        -1,
        1,
      ),
    );
    const b = await direct.data();
    direct.dispose();
    for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i], 5);
    disposeLatentModel(m);
  });

  it('refuses a U-Net trained with another scale, another latent shape, or a bad index', async () => {
    await expect(decodeLatentModel(await files({ scale: 0.5 }))).rejects.toThrow(
      /trained with scale factor 0.5.*measures 0.8/,
    );
    const pixel = await files({ latentShape: [7, 7, 4] });
    const json = { ...(pixel.unet.modelJson as Record<string, unknown>) };
    delete json.latentShape;
    // Without latentShape a 7x7x4 model no longer fits MNIST's 28x28x1: a config error.
    await expect(
      decodeLatentModel({ ...pixel, unet: { ...pixel.unet, modelJson: json } }),
    ).rejects.toThrow(/7x7x4 images but data set mnist has 28x28x1/);
    expect(() =>
      validateLatentIndex({
        format: LATENT_FORMAT,
        formatVersion: 1,
        scaleFactor: 1,
        autoencoder: '../x',
        unet: 'unet',
      }),
    ).toThrow(/sub-folder name/);
    expect(() => validateLatentIndex({ format: 'other' })).toThrow(CheckpointError);
  });

  it('validates the autoencoder manifest field by field', async () => {
    const raw = await files();
    const good = raw.autoencoder.modelJson as Record<string, unknown>;
    expect(decodeAutoencoder(good, raw.autoencoder.weights).manifest.scaleFactor).toBe(SCALE);
    expect(() => decodeAutoencoder({ ...good, scaleFactor: -1 }, raw.autoencoder.weights)).toThrow(
      /scaleFactor/,
    );
    expect(() =>
      decodeAutoencoder(
        { ...good, format: 'diffusion-playground-checkpoint' },
        raw.autoencoder.weights,
      ),
    ).toThrow(/an autoencoder/);
    const bytes = new Uint8Array(raw.autoencoder.weights.slice(0));
    bytes[5] ^= 0xff;
    expect(() => decodeAutoencoder(good, bytes)).toThrow(/CRC-32/);
  });
});
