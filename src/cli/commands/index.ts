// The command table. Each entry lazy-imports its module so that, e.g., `schedule` never loads
// tfjs.
import type { Command } from '../types';

export const COMMANDS: readonly Command[] = [
  {
    name: 'schedule',
    description: 'print a linear or cosine noise schedule and its posterior constants as JSON',
    run: async (argv, io) => (await import('./schedule')).run(argv, io),
  },
  {
    name: 'train',
    description: 'train a U-Net on mnist or cifar10, saving EMA checkpoints and a resumable state',
    run: async (argv, io) => (await import('./train')).run(argv, io),
  },
  {
    name: 'sample',
    description: 'sample images from a checkpoint (DDPM or DDIM, guidance) into a .png or .npy',
    run: async (argv, io) => (await import('./sample')).run(argv, io),
  },
  {
    name: 'train-autoencoder',
    description:
      'train the KL-regularised autoencoder of latent diffusion and measure its reconstruction error',
    run: async (argv, io) => (await import('./trainAutoencoder')).run(argv, io),
  },
  {
    name: 'train-latent',
    description:
      "train a diffusion U-Net on an autoencoder's scaled latents (latent diffusion, with guidance)",
    run: async (argv, io) => (await import('./trainLatent')).run(argv, io),
  },
  {
    name: 'train-classifier',
    description:
      'train the MNIST judge classifier and save it with its Fréchet reference statistics',
    run: async (argv, io) => (await import('./trainClassifier')).run(argv, io),
  },
  {
    name: 'train-noisy-classifier',
    description:
      'train a noise-aware classifier p(y | x_t, t) for classifier guidance, with its accuracy per t',
    run: async (argv, io) => (await import('./trainNoisyClassifier')).run(argv, io),
  },
  {
    name: 'eval',
    description:
      'score samples per guidance scale with the judge: accuracy, Fréchet distance, diversity',
    run: async (argv, io) => (await import('./evaluate')).run(argv, io),
  },
  {
    name: 'nll',
    description: 'the ELBO of a checkpoint on test images in bits/dim, summed over every t',
    run: async (argv, io) => (await import('./nll')).run(argv, io),
  },
  {
    name: 'score2d',
    description:
      'sample a 2-D data set with Langevin, annealed Langevin, SDE, ODE, PC or DDPM (exact or learned score)',
    run: async (argv, io) => (await import('./score2d')).run(argv, io),
  },
  {
    name: 'bench',
    description: 'time a training step and a forward pass per backend and preset, as JSON lines',
    run: async (argv, io) => (await import('./bench')).run(argv, io),
  },
];

export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name);
}
