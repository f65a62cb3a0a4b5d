import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../data/dataset';
import { trainLatentModel, type LatentTrainingEvent } from './browserTraining';
import { LatentController } from './controller';

/** 40 random 28x28 "digits" (bright squares at a class-dependent place) with 10 labels. */
function squares(count: number): Dataset {
  const images = new Uint8Array(count * 28 * 28);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const k = i % 10;
    labels[i] = k;
    for (let y = 2 * k; y < 2 * k + 8; y++) {
      for (let x = 4; x < 12; x++) images[i * 784 + y * 28 + x] = 255;
    }
  }
  return {
    name: 'mnist',
    split: 'train',
    height: 28,
    width: 28,
    channels: 1,
    classNames: Array.from({ length: 10 }, (_, k) => String(k)),
    count,
    images,
    labels,
  };
}

describe('trainLatentModel (both stages, as the browser runs them)', () => {
  it('trains, reports each stage, gives a valid latent model that samples, leaks nothing', async () => {
    const before = tf.memory().numTensors;
    const data = squares(40);
    const events: LatentTrainingEvent[] = [];
    const model = await trainLatentModel(
      data,
      data,
      {
        autoencoderSteps: 5,
        unetSteps: 5,
        images: 32,
        batch: 4,
        autoencoderChannels: [2, 4],
        unetChannels: 8,
        seed: 1,
      },
      (e) => void events.push(e),
    );
    expect(events.some((e) => e.phase === 'autoencoder' && e.step === 5)).toBe(true);
    expect(events.some((e) => e.phase === 'encode' && e.step === 32)).toBe(true);
    expect(events.some((e) => e.phase === 'unet' && e.step === 5 && e.loss !== null)).toBe(true);
    expect(model.unet.config.imageSize).toBe(7);
    expect(model.unetManifest.latentShape).toEqual([7, 7, 4]);
    expect(model.scaleFactor).toBeGreaterThan(0);
    const c = new LatentController();
    c.replace(model, 'browser');
    const traj = await c.trajectory({
      n: 2,
      classLabel: 3,
      guidance: 3,
      sampler: 'ddim',
      steps: 2,
      eta: 0,
      seed: 0,
    });
    expect(traj.frames).toHaveLength(2);
    expect(traj.final).toHaveLength(2 * 784);
    expect(traj.frames[0].zt).toHaveLength(2 * 7 * 7 * 4);
    const r = await c.reconstruct(data, {
      index: 3,
      t: 10,
      steps: 3,
      seed: 0,
      classLabel: 3,
      guidance: 1,
    });
    expect(r.steps).toBe(3);
    expect(Number.isFinite(r.mseDenoised)).toBe(true);
    const w = await c.walk(data, { indexA: 0, indexB: 1, alpha: 0 });
    // α = 0 is image A's own latent.
    const again = await c.walk(data, { indexA: 0, indexB: 5, alpha: 0 });
    expect(Array.from(again.image)).toEqual(Array.from(w.image));
    await expect(c.walk(data, { indexA: 0, indexB: 1, alpha: 2 })).rejects.toThrow(/alpha/);
    await expect(
      c.reconstruct(data, { index: 0, t: 1000, steps: 3, seed: 0, classLabel: null, guidance: 1 }),
    ).rejects.toThrow(/t must be/);
    c.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects impossible sizes before training anything', async () => {
    const data = squares(20);
    await expect(
      trainLatentModel(
        data,
        data,
        {
          autoencoderSteps: 0,
          unetSteps: 5,
          images: 16,
          batch: 4,
          autoencoderChannels: [2, 4],
          unetChannels: 8,
          seed: 0,
        },
        () => undefined,
      ),
    ).rejects.toThrow(/steps 1..100000/);
  });
});
