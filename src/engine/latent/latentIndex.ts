// latent.json: what ties a latent U-Net to its autoencoder. The U-Net was trained on
// z·scaleFactor, so it is only valid with the autoencoder whose latents that scale was measured
// on: loading checks the two scale factors agree (a retrained autoencoder gets a clear error).
import { CheckpointError } from '../checkpoint/errors';
import { isJsonObject, JsonReader, show } from '../checkpoint/jsonReader';

export const LATENT_INDEX_FILE = 'latent.json';
export const LATENT_FORMAT = 'diffusion-playground-latent';
export const LATENT_FORMAT_VERSION = 1;

export interface LatentIndex {
  format: typeof LATENT_FORMAT;
  formatVersion: typeof LATENT_FORMAT_VERSION;
  /** The scale the U-Net's training latents were multiplied by (LDM's scale_factor). */
  scaleFactor: number;
  /** Sub-folder of the autoencoder, relative to latent.json. */
  autoencoder: string;
  /** Sub-folder of the latent U-Net checkpoint. */
  unet: string;
}

const SUBDIR = /^[A-Za-z0-9_-]{1,64}$/;

export function validateLatentIndex(json: unknown): LatentIndex {
  if (!isJsonObject(json)) {
    throw new CheckpointError('format', `latent.json must be a JSON object, got ${show(json)}`);
  }
  const r = new JsonReader(json);
  const format = r.has('format') ? r.raw('format') : undefined;
  if (format !== LATENT_FORMAT) {
    throw new CheckpointError(
      'format',
      `latent.json format is ${show(format)}, expected "${LATENT_FORMAT}"`,
    );
  }
  if (r.raw('formatVersion') !== LATENT_FORMAT_VERSION) {
    throw new CheckpointError(
      'version',
      `latent.json formatVersion ${show(r.raw('formatVersion'))} is not supported (this app reads ${LATENT_FORMAT_VERSION})`,
    );
  }
  const sub = (key: string) => {
    const v = r.string(key);
    return SUBDIR.test(v) ? v : r.fail(key, 'a sub-folder name (letters, digits, - and _)');
  };
  return {
    format: LATENT_FORMAT,
    formatVersion: LATENT_FORMAT_VERSION,
    scaleFactor: r.number('scaleFactor', 1e-6, 1e6),
    autoencoder: sub('autoencoder'),
    unet: sub('unet'),
  };
}

/** Throws unless the autoencoder's measured scale is the one the U-Net was trained with. */
export function checkScaleAgrees(index: LatentIndex, autoencoderScale: number): void {
  const rel = Math.abs(index.scaleFactor - autoencoderScale) / autoencoderScale;
  if (!(rel <= 1e-6)) {
    throw new CheckpointError(
      'mismatch',
      `the latent U-Net was trained with scale factor ${index.scaleFactor}, but its autoencoder ` +
        `measures ${autoencoderScale}: the autoencoder was replaced; retrain the latent U-Net`,
    );
  }
}
