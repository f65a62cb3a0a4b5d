// Both stages of latent diffusion trained in one go, small enough for a class to watch in the
// browser: the autoencoder (autoencoderTrainer.ts), LDM's scale factor measured on its latents,
// the training images encoded, then the pixel models' DDPM trainer on the scaled latents. The
// result goes through the same files and validation as a downloaded model.
import type { Dataset } from '../../data/dataset';
import { latentScaleFactor, scaleLatents } from '../../diffusion/latentScaling';
import { makeSchedule } from '../../diffusion/schedule';
import { Autoencoder, latentShape, type AutoencoderConfig } from '../../model/autoencoder';
import { disposeParams } from '../../model/params';
import { UNet } from '../../model/unet';
import { encodeCheckpoint } from '../checkpoint';
import { Trainer } from '../training/trainer';
import { encodeAutoencoder } from './autoencoderCheckpoint';
import { AutoencoderTrainer } from './autoencoderTrainer';
import { encodeDataset, latentDataset } from './encodeDataset';
import { LATENT_FORMAT, LATENT_FORMAT_VERSION } from './latentIndex';
import { decodeLatentModel, latentUNetConfig, type LatentModel } from './latentModel';

export interface LatentTrainingRequest {
  autoencoderSteps: number;
  unetSteps: number;
  /** Training images encoded for the U-Net (the first ones of the split). */
  images: number;
  batch: number;
  /** Autoencoder widths [c1, c2] and the U-Net's base channels. */
  autoencoderChannels: [number, number];
  unetChannels: number;
  seed: number;
}

export const BROWSER_LATENT_TRAINING: LatentTrainingRequest = {
  autoencoderSteps: 150,
  unetSteps: 150,
  images: 2000,
  batch: 32,
  autoencoderChannels: [8, 16],
  unetChannels: 16,
  seed: 0,
};

export interface LatentTrainingEvent {
  phase: 'autoencoder' | 'encode' | 'unet';
  step: number;
  total: number;
  /** Autoencoder: per-pixel MSE of the reconstructions; U-Net: L_simple (per-element mean). */
  loss: number | null;
}

export function checkLatentTraining(r: LatentTrainingRequest): void {
  const int = (v: number, lo: number, hi: number) => Number.isInteger(v) && v >= lo && v <= hi;
  const ok =
    int(r.autoencoderSteps, 1, 100_000) &&
    int(r.unetSteps, 1, 100_000) &&
    int(r.images, 16, 60_000) &&
    int(r.batch, 1, 512) &&
    r.autoencoderChannels.every((c) => int(c, 1, 256)) &&
    int(r.unetChannels, 8, 256) &&
    r.unetChannels % 8 === 0 &&
    int(r.seed, 0, Number.MAX_SAFE_INTEGER);
  if (!ok) {
    throw new RangeError(
      'latent training: steps 1..100000, images 16..60000, batch 1..512, U-Net channels a multiple of 8',
    );
  }
}

/**
 * Trains both stages on `train` (the autoencoder's reconstruction error measured on `test`);
 * `stop()` is polled between steps (true: finish the current stage early and go on).
 */
export async function trainLatentModel(
  train: Dataset,
  test: Dataset,
  req: LatentTrainingRequest,
  onEvent: (e: LatentTrainingEvent) => void | Promise<void>,
  stop: () => boolean = () => false,
): Promise<LatentModel> {
  checkLatentTraining(req);
  const config: AutoencoderConfig = {
    imageSize: train.height,
    inChannels: train.channels,
    channels: req.autoencoderChannels,
    latentChannels: 4,
  };
  const ae = Autoencoder.create(config, { seed: req.seed });
  let unet: UNet | null = null;
  try {
    const aeTrainer = new AutoencoderTrainer(ae, train, {
      steps: req.autoencoderSteps,
      batchSize: req.batch,
      learningRate: 3e-3,
      warmupSteps: Math.min(30, req.autoencoderSteps - 1),
      seed: req.seed,
    });
    try {
      while (!aeTrainer.done && !stop()) {
        aeTrainer.step();
        if (aeTrainer.stepCount % 5 === 0 || aeTrainer.done) {
          const s = await aeTrainer.flush();
          await onEvent({
            phase: 'autoencoder',
            step: aeTrainer.stepCount,
            total: req.autoencoderSteps,
            loss: s?.mse ?? null,
          });
        }
      }
      await aeTrainer.flush();
    } finally {
      aeTrainer.dispose();
    }
    const scaleFactor = latentScaleFactor(
      (await encodeDataset(ae, train, { limit: 256, reconstruct: false })).latents,
    );
    const measured = await encodeDataset(ae, test, { limit: 256 });
    const encoded = await encodeDataset(ae, train, {
      limit: req.images,
      reconstruct: false,
      onProgress: (done, total) => onEvent({ phase: 'encode', step: done, total, loss: null }),
    });
    const shape = latentShape(config);
    const latents = latentDataset(train, scaleLatents(encoded.latents, scaleFactor), shape);
    const unetConfig = latentUNetConfig(shape, train.classNames.length, req.unetChannels);
    unet = UNet.create(unetConfig, { seed: req.seed });
    const schedule = { kind: 'linear' as const, T: 1000, scaled: false };
    const trainer = new Trainer(unet, latents, makeSchedule(schedule), {
      batchSize: req.batch,
      learningRate: 2e-3,
      warmupSteps: Math.min(20, req.unetSteps - 1),
      randomFlip: false,
      seed: req.seed,
      reportEvery: 5,
    });
    try {
      while (trainer.stepCount < req.unetSteps && !stop()) {
        const s = await trainer.step();
        if (s) await onEvent({ phase: 'unet', step: s.step, total: req.unetSteps, loss: s.loss });
      }
      await trainer.flush();
      const aeFiles = await encodeAutoencoder(ae, {
        autoencoderConfig: config,
        dataset: train.name,
        klWeight: 1e-6,
        scaleFactor,
        ...(measured.mse !== null ? { testMse: measured.mse, testCount: measured.count } : {}),
        training: {
          steps: req.autoencoderSteps,
          batch: req.batch,
          learningRate: 3e-3,
          seed: req.seed,
          wallTimeSeconds: 0,
        },
      });
      const ema = trainer.emaParams();
      let unetFiles;
      try {
        unetFiles = await encodeCheckpoint(ema, {
          modelConfig: unetConfig,
          schedule,
          dataset: train.name,
          classNames: [...train.classNames],
          trainingSteps: trainer.stepCount,
          ema: true,
          latentShape: shape,
        });
      } finally {
        disposeParams(ema);
      }
      return await decodeLatentModel({
        index: {
          format: LATENT_FORMAT,
          formatVersion: LATENT_FORMAT_VERSION,
          scaleFactor,
          autoencoder: 'autoencoder',
          unet: 'unet',
        },
        autoencoder: aeFiles,
        unet: unetFiles,
      });
    } finally {
      trainer.dispose();
    }
  } finally {
    ae.dispose();
    unet?.dispose();
  }
}
