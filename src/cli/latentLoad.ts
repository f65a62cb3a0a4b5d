// Loads a latent diffusion model folder (latent.json + autoencoder/ + unet/) for the CLI, with
// every part validated before any tensor exists (src/engine/latent/latentModel.ts).
import path from 'node:path';
import { decodeLatentModel, type LatentModel } from '../engine/latent/latentModel';
import { validateLatentIndex } from '../engine/latent/latentIndex';
import { readLatentIndexFile, readModelFiles } from '../engine/latent/fsStore';

export { isLatentModelDir } from '../engine/latent/fsStore';

export async function loadLatentModelDir(dir: string): Promise<LatentModel> {
  const indexJson = await readLatentIndexFile(dir);
  const index = validateLatentIndex(indexJson);
  return decodeLatentModel({
    index: indexJson,
    autoencoder: await readModelFiles(path.join(dir, index.autoencoder)),
    unet: await readModelFiles(path.join(dir, index.unet)),
  });
}

/**
 * x̂₀ clipping to [-1, 1] is for pixels; scaled latents have unit variance and reach beyond 1,
 * so for a latent model it is off unless --clip-x0 is given explicitly.
 */
export function latentClipX0(argv: readonly string[]): boolean {
  return argv.includes('--clip-x0');
}
