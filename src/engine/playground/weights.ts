// Which weights sampling uses: while a model is being trained, its EMA copy (what DDPM samples
// from, Ho et al. 2020 Sec. 4); otherwise the model's own weights (a checkpoint already stores
// the EMA weights). A lease owns whatever it copied and frees it on release().
import * as tf from '@tensorflow/tfjs';
import type { EpsModel } from '../sampling';
import {
  type UNetConfig,
  unetApply,
  unetApplyOutput,
  buildArchitecture,
  disposeParams,
  type Params,
} from '../../model';
import type { UNet } from '../../model';

export interface WeightsLease {
  model: EpsModel;
  /** The U-Net's config and parameters behind `model`, where it is one (a peer copies them). */
  weights?: { config: UNetConfig; params: Params };
  release(): void;
}

export function leaseOwnWeights(unet: UNet): WeightsLease {
  return { model: unet, weights: { config: unet.config, params: unet.params }, release: () => {} };
}

/** A model over `params` (owned by the lease: release() disposes them). */
export function leaseCopiedWeights(unet: Pick<UNet, 'config'>, params: Params): WeightsLease {
  const config = unet.config;
  const arch = buildArchitecture(config);
  const model: EpsModel = {
    config,
    apply: (x, t, y, opts = { training: false }) => unetApply(params, config, x, t, y, opts, arch),
    applyOutput: (x, t, y, opts = { training: false }) =>
      unetApplyOutput(params, config, x, t, y, opts, arch),
  };
  let released = false;
  return {
    model,
    weights: { config, params },
    release: () => {
      if (!released) disposeParams(params);
      released = true;
    },
  };
}

/**
 * A lease on the model's weights as they are now. tf.variable(v) shares v's buffer (reference
 * counted) and training replaces a variable's buffer rather than writing into it (assign), so
 * the copy costs no memory and stays valid when the model trains on or is disposed by a swap.
 */
export function leaseSnapshotWeights(unet: UNet): WeightsLease {
  const params: Params = new Map();
  for (const [name, v] of unet.params) params.set(name, tf.variable(v, false));
  return leaseCopiedWeights(unet, params);
}
