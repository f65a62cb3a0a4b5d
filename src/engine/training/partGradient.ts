// One training step's gradient computed by several workers at once (issue 12: wasm on every
// core). The DDPM loss is a mean over the batch's examples (loss.ts), so with the batch cut into
// contiguous parts of n_k examples and L_k the mean loss of part k,
//   ∇L = Σ_k (n_k / B) ∇L_k,
// and each part's gradient can come from another worker holding a copy of the weights. Every
// part gets the x_0, t, labels and ε the single-worker step would have drawn for its examples, so
// only the summation order (and, with dropout, the masks: each part draws its own) differs.
//
// Why workers rather than WebAssembly threads: tfjs-backend-wasm hands its thread pool to
// XNNPACK's convolutions only, and our own single-threaded Winograd kernels (conv3x3.ts) are
// faster per core than XNNPACK; two single-threaded workers each training half the batch keep
// both cores on all of the step (README, issue 12).
import * as tf from '@tensorflow/tfjs';
import { scheduleFromBetas, type Schedule, type ScheduleKind } from '../../diffusion/schedule';
import type { Params, UNetConfig } from '../../model';
import { UNet } from '../../model/unet';
import { diffusionLoss } from './loss';
import { flatten, unflatten } from './flat';

export type Shape4 = [number, number, number, number];

/** A part of a batch, in plain arrays (what travels to another worker). */
export interface PartBatch {
  /** Clean images in [-1, 1], NHWC. */
  x0: Float32Array;
  shape: Shape4;
  /** Timestep indices in [0, T). */
  t: Int32Array;
  /** Labels after dropout; null for an unconditional model. */
  labels: Int32Array | null;
  /** ε ~ N(0, I), the shape of x0. */
  noise: Float32Array;
  /** Each example's weight in the squared error (lossWeighting.ts); null: all 1. */
  lossWeights: Float32Array | null;
  dropoutSeed: number;
}

/** What a worker needs to compute a part's gradient on its own copy of the model. */
export interface PartGradientRequest extends PartBatch {
  config: UNetConfig;
  /** Parameter names and shapes, in the order of `weights` and of the returned gradient. */
  names: string[];
  shapes: number[][];
  /** Every parameter flattened in `names` order (flat.ts). */
  weights: Float32Array;
  schedule: { kind: ScheduleKind; scaled: boolean; betas: Float64Array };
}

export interface PartGradientResult {
  /** ∇ of the part's mean loss, flattened in the request's `names` order. */
  grad: Float32Array;
  /** Each example's loss (loss.ts), in the part's order. */
  perExample: Float32Array;
  /** The worker's compute time (ms), without the messages. */
  ms: number;
}

/** Another worker, as a trainer sees it. */
export interface GradientPeer {
  gradients(req: PartGradientRequest): Promise<PartGradientResult>;
}

/** The workers a trainer may share its steps with (asked again at every step). */
export interface GradientPeers {
  /** Those that work now (a peer that failed is left out). */
  peers(): GradientPeer[];
  /** Whether the trainer's own worker computes a part too (false: the peers take it all). */
  localTakesPart(): boolean;
}

/**
 * The flat gradient of one part's mean loss and its per-example losses, as tensors (the caller's
 * to dispose). The same code serves the trainer's own part and a peer's.
 */
export function partLossGradient(
  unet: UNet,
  vars: readonly tf.Variable[],
  schedule: Schedule,
  part: PartBatch,
): { grad: tf.Tensor1D; perExample: tf.Tensor1D } {
  return tf.tidy(() => {
    const x0 = tf.tensor4d(part.x0, part.shape);
    const t = tf.tensor1d(part.t, 'int32');
    const y = part.labels ? tf.tensor1d(part.labels, 'int32') : null;
    const noise = tf.tensor4d(part.noise, part.shape);
    const weights = part.lossWeights ? tf.tensor1d(part.lossWeights) : null;
    const apply = { training: true, dropoutSeed: part.dropoutSeed };
    const kept: { perExample?: tf.Tensor1D } = {};
    const { grads } = tf.variableGrads(() => {
      const r = diffusionLoss(unet, schedule, { x0, t, y, noise, weights }, apply);
      kept.perExample = tf.keep(r.perExample);
      return r.loss;
    }, vars as tf.Variable[]);
    if (!kept.perExample) throw new Error('internal: the loss produced no per-example values');
    // A variable the loss does not reach gets no entry: its gradient is zero.
    const grad = flatten(vars.map((v) => grads[v.name] ?? tf.zerosLike(v)));
    return { grad, perExample: kept.perExample };
  });
}

/** Part sizes for a batch of `batch` over `workers`: as equal as can be, earlier parts larger. */
export function partSizes(batch: number, workers: number): number[] {
  const k = Math.max(1, Math.min(batch, Math.floor(workers)));
  const base = Math.floor(batch / k);
  return Array.from({ length: k }, (_, i) => base + (i < batch % k ? 1 : 0));
}

/** Examples [start, start + n) of a whole batch, as a part. */
export function slicePart(
  whole: Omit<PartBatch, 'dropoutSeed'>,
  start: number,
  n: number,
  dropoutSeed: number,
): PartBatch {
  const [, h, w, c] = whole.shape;
  const per = h * w * c;
  return {
    x0: whole.x0.slice(start * per, (start + n) * per),
    shape: [n, h, w, c],
    t: whole.t.slice(start, start + n),
    labels: whole.labels ? whole.labels.slice(start, start + n) : null,
    noise: whole.noise.slice(start * per, (start + n) * per),
    lossWeights: whole.lossWeights ? whole.lossWeights.slice(start, start + n) : null,
    dropoutSeed,
  };
}

/**
 * A peer worker's side: keeps one trainable copy of the model (rebuilt when the architecture
 * changes), loads each request's weights into it and returns the part's gradient.
 */
export class PartGradientHost {
  private held: { key: string; unet: UNet; vars: tf.Variable[] } | null = null;
  private schedule: { key: string; value: Schedule } | null = null;

  async gradients(req: PartGradientRequest): Promise<PartGradientResult> {
    const start = performance.now();
    const { unet, vars } = this.model(req);
    const schedule = this.scheduleOf(req.schedule);
    tf.tidy(() => {
      const values = unflatten(tf.tensor1d(req.weights), req.shapes);
      values.forEach((v, i) => vars[i].assign(v));
    });
    const { grad, perExample } = partLossGradient(unet, vars, schedule, req);
    try {
      const [g, p] = await Promise.all([grad.data<'float32'>(), perExample.data<'float32'>()]);
      return { grad: g, perExample: p, ms: performance.now() - start };
    } finally {
      tf.dispose([grad, perExample]);
    }
  }

  /** Frees the copy (tests; a worker is simply closed). */
  dispose(): void {
    this.held?.unet.dispose();
    this.held = null;
  }

  private model(req: PartGradientRequest): { unet: UNet; vars: tf.Variable[] } {
    if (req.names.length !== req.shapes.length) {
      throw new Error(`${req.names.length} parameter names for ${req.shapes.length} shapes`);
    }
    const size = req.shapes.reduce((n, s) => n + s.reduce((a, b) => a * b, 1), 0);
    if (size !== req.weights.length) {
      throw new Error(`${req.weights.length} weights for parameters of ${size} values`);
    }
    const key = JSON.stringify([req.config, req.names, req.shapes]);
    if (this.held?.key !== key) {
      this.dispose();
      const params: Params = new Map();
      // tidy frees the zeros; it never disposes variables.
      req.names.forEach((name, i) =>
        params.set(
          name,
          tf.tidy(() => tf.variable(tf.zeros(req.shapes[i]), true)),
        ),
      );
      const unet = new UNet(req.config, params);
      this.held = { key, unet, vars: req.names.map((n) => params.get(n) as tf.Variable) };
    }
    return this.held;
  }

  private scheduleOf(s: PartGradientRequest['schedule']): Schedule {
    const key = `${s.kind}/${s.scaled}/${s.betas.join(',')}`;
    if (this.schedule?.key !== key) {
      this.schedule = { key, value: scheduleFromBetas(s.betas, s) };
    }
    return this.schedule.value;
  }
}
