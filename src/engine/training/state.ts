// Everything that defines a training run at a given step, under one naming scheme:
//   param/<name>  each raw weight     adam.m, adam.v  Adam's moments (flat, see flat.ts)
//   ema           the EMA weights (flat)   + the counters step, adamUpdates, emaUpdates.
// Used two ways: an on-device snapshot to roll back to after a NaN, and a host copy (TrainState)
// saved to disk for --resume. (Batch order and noise are functions of (seed, step): no RNG state.)
import * as tf from '@tensorflow/tfjs';
import type { Params } from '../../model/params';
import type { Adam } from './optimizer';
import type { Ema } from './ema';

export interface Counters {
  /** Optimisation steps completed. */
  step: number;
  adamUpdates: number;
  emaUpdates: number;
}

export interface TrainStateTensor {
  name: string;
  shape: number[];
  values: Float32Array;
}

export interface TrainState extends Counters {
  tensors: TrainStateTensor[];
}

/** The run's variables by state name, in a stable order. */
export function stateVariables(params: Params, adam: Adam, ema: Ema): Map<string, tf.Variable> {
  const out = new Map<string, tf.Variable>();
  for (const [n, v] of params) out.set(`param/${n}`, v);
  out.set('adam.m', adam.m);
  out.set('adam.v', adam.v);
  out.set('ema', ema.flat);
  return out;
}

/**
 * A device-side copy of every state variable (weights, moments, EMA: 4x the parameters). Cheap:
 * on webgpu/webgl/cpu tf.clone only shares the buffer (tfjs never writes tensor data in place;
 * assign() swaps buffers), on wasm it is one memcpy; either way one extra copy of the state.
 */
export class DeviceSnapshot {
  private constructor(
    readonly counters: Counters,
    private readonly copies: Map<string, tf.Tensor>,
  ) {}

  static capture(vars: Map<string, tf.Variable>, counters: Counters): DeviceSnapshot {
    const copies = new Map<string, tf.Tensor>();
    for (const [name, v] of vars) copies.set(name, tf.keep(tf.clone(v)));
    return new DeviceSnapshot({ ...counters }, copies);
  }

  /** Puts the copied values back into the variables. */
  restore(vars: Map<string, tf.Variable>): void {
    for (const [name, v] of vars) {
      const copy = this.copies.get(name);
      if (!copy) throw new Error(`snapshot has no ${name}`);
      v.assign(copy);
    }
  }

  dispose(): void {
    tf.dispose([...this.copies.values()]);
    this.copies.clear();
  }
}

/** Reads every state variable back to the host (all readbacks in flight together). */
export async function readState(
  vars: Map<string, tf.Variable>,
  counters: Counters,
): Promise<TrainState> {
  const entries = [...vars];
  const values = await Promise.all(entries.map(([, v]) => v.data<'float32'>()));
  return {
    ...counters,
    tensors: entries.map(([name, v], i) => ({ name, shape: [...v.shape], values: values[i] })),
  };
}

/** Assigns a saved state to the variables; throws before changing anything if it does not fit. */
export function applyState(vars: Map<string, tf.Variable>, state: TrainState): Counters {
  const byName = new Map(state.tensors.map((t) => [t.name, t]));
  for (const [name, v] of vars) {
    const t = byName.get(name);
    if (!t) throw new Error(`saved training state has no tensor ${name}`);
    const size = t.shape.reduce((a, b) => a * b, 1);
    if (t.shape.join(',') !== v.shape.join(',') || t.values.length !== size) {
      throw new Error(
        `saved tensor ${name} has shape [${t.shape}] (${t.values.length} values); ` +
          `the model needs [${v.shape}]`,
      );
    }
  }
  if (byName.size !== vars.size) {
    const extra = [...byName.keys()].filter((n) => !vars.has(n));
    throw new Error(`saved training state has unknown tensors: ${extra.slice(0, 3).join(', ')}`);
  }
  for (const [name, v] of vars) {
    const t = byName.get(name) as TrainStateTensor;
    tf.tidy(() => v.assign(tf.tensor(t.values, t.shape, 'float32')));
  }
  const { step, adamUpdates, emaUpdates } = state;
  return { step, adamUpdates, emaUpdates };
}
