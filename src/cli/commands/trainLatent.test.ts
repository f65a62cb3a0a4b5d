import { describe, expect, it } from 'vitest';
import { UsageError } from '../types';
import { parseTrainAutoencoderArgs } from './trainAutoencoder';
import { parseTrainLatentArgs } from './trainLatent';

describe('train-autoencoder and train-latent flags', () => {
  it('parses the documented flags with their defaults', () => {
    const a = parseTrainAutoencoderArgs([
      '--dataset',
      'cifar10',
      '--out',
      'x',
      '--kl-weight',
      '1e-5',
    ]);
    expect(a).toMatchObject({
      dataset: 'cifar10',
      config: { imageSize: 32, inChannels: 3, latentChannels: 4 },
      training: { klWeight: 1e-5, batchSize: 64 },
    });
    const l = parseTrainLatentArgs(['--out', 'm', '--steps', '10', '--time-limit', '2.5']);
    expect(l).toMatchObject({
      channels: 32,
      timeLimit: 2.5,
      initFrom: null,
      autoencoder: 'm/autoencoder',
    });
  });

  it('rejects bad values with a message naming the flag', () => {
    const bad: [() => unknown, RegExp][] = [
      [() => parseTrainAutoencoderArgs(['--out', 'x']), /missing --dataset/],
      [() => parseTrainAutoencoderArgs(['--dataset', 'svhn', '--out', 'x']), /--dataset/],
      [
        () => parseTrainAutoencoderArgs(['--dataset', 'mnist', '--out', 'x', '--kl-weight', '2']),
        /--kl-weight/,
      ],
      [
        () => parseTrainAutoencoderArgs(['--dataset', 'mnist', '--out', 'x', '--channels', '8']),
        /--channels/,
      ],
      [() => parseTrainLatentArgs(['--out', 'm']), /missing --steps/],
      [
        () => parseTrainLatentArgs(['--out', 'm', '--steps', '5', '--channels', '12']),
        /multiple of 8/,
      ],
      [
        () => parseTrainLatentArgs(['--out', 'm', '--steps', '5', '--time-limit', '0']),
        /--time-limit/,
      ],
      [
        () => parseTrainLatentArgs(['--out', 'm', '--steps', '5', '--backend', 'webgl']),
        /--backend/,
      ],
    ];
    for (const [f, message] of bad) {
      expect(f).toThrow(UsageError);
      expect(f).toThrow(message);
    }
  });
});
