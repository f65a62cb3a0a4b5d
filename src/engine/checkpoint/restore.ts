// Turning a validated checkpoint into model weights. The caller keeps the model in use until one
// of these succeeds: createUNetFromCheckpoint builds a separate model (swap it in, then dispose
// the old one), and assignParams checks everything before its first write.
import * as tf from '@tensorflow/tfjs';
import { disposeParams, paramSpecs, type Params } from '../../model/params';
import { UNet } from '../../model/unet';
import { CheckpointError } from './errors';
import type { DecodedCheckpoint } from './types';
import { shapeText, weightEntries } from './weightsManifest';

function valuesFor(decoded: DecodedCheckpoint, name: string, shape: number[]): Float32Array {
  const v = decoded.values.get(name);
  if (!v) throw new CheckpointError('mismatch', `missing weight ${name}`);
  const size = shape.reduce((a, b) => a * b, 1);
  if (v.length !== size) {
    throw new CheckpointError(
      'shape',
      `weight ${name} has ${v.length} values but shape ${shapeText(shape)} needs ${size}`,
    );
  }
  return v;
}

/** A new UNet holding the checkpoint's weights (as trainable variables) and its config. */
export function createUNetFromCheckpoint(decoded: DecodedCheckpoint): UNet {
  const config = decoded.manifest.modelConfig;
  const params: Params = new Map();
  try {
    for (const { name, shape } of paramSpecs(config)) {
      const t = tf.tensor(valuesFor(decoded, name, shape), shape, 'float32');
      // Unnamed, as in createParams: tfjs variable names are global and models may coexist.
      params.set(name, tf.variable(t, true));
      t.dispose();
    }
  } catch (e) {
    disposeParams(params); // e.g. out of GPU memory half-way: leave nothing behind
    throw e;
  }
  return new UNet(config, params);
}

/**
 * Overwrites existing variables (e.g. to resume training with the same optimizer variables).
 * Names and shapes must match exactly; nothing is written unless all do. It does not compare
 * configs: weights of equal shapes but, say, another GroupNorm group count would be accepted.
 */
export function assignParams(params: Params, decoded: DecodedCheckpoint): void {
  const extra = [...decoded.values.keys()].filter((n) => !params.has(n));
  if (extra.length > 0) {
    throw new CheckpointError(
      'mismatch',
      `checkpoint has weight ${extra[0]} that the model in use does not have`,
    );
  }
  const shapes = new Map(weightEntries(decoded.manifest).map((e) => [e.name, e.shape]));
  for (const [name, v] of params) {
    const shape = shapes.get(name);
    if (!shape || !decoded.values.has(name)) {
      throw new CheckpointError(
        'mismatch',
        `checkpoint is missing weight ${name} that the model in use has`,
      );
    }
    if (shapeText(shape) !== shapeText(v.shape)) {
      throw new CheckpointError(
        'shape',
        `weight ${name} has shape ${shapeText(shape)} in the checkpoint but ${shapeText(v.shape)} in the model in use`,
      );
    }
    valuesFor(decoded, name, v.shape);
  }
  tf.tidy(() => {
    for (const [name, v] of params) v.assign(tf.tensor(valuesFor(decoded, name, v.shape), v.shape));
  });
}
