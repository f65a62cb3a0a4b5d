// The forward-noising view's computation: an image x_0, noise ε from a seed, and x_t either from
// the closed form q(x_t | x_0) (Ho et al. 2020, eq. 4) or by running the chain q(x_t | x_{t-1})
// (eq. 2) step by step — two routes to the same distribution. Runs on the active backend.
import * as tf from '@tensorflow/tfjs';
import { makeSchedule, type Schedule, type ScheduleOptions } from '../diffusion/schedule';
import { qSample, qStep } from '../diffusion/forward';
import { deriveSeed, STREAM } from '../random/seeded';

export type NoiseMode = 'closed' | 'chain';

export interface SourceImage {
  /** One image, HWC, values in [-1, 1]. */
  data: Float32Array;
  height: number;
  width: number;
  channels: number;
}

export interface NoisedImage {
  x0: Float32Array;
  /** The noise such that x_t = √ᾱ_t x_0 + √(1−ᾱ_t) ε. For the chain, it is implied by x_t. */
  eps: Float32Array;
  xt: Float32Array;
  shape: [number, number, number, number];
}

export interface Filmstrip {
  timesteps: number[];
  /** frames[row][k]: x_t at timesteps[k], row 0 linear, row 1 cosine, the same ε for all. */
  frames: [Float32Array[], Float32Array[]];
  shape: [number, number, number, number];
}

/**
 * The tfjs seeds (never 0, which tfjs reads as "unseeded"): ε of the closed form, shared by the
 * filmstrip so it shows the same noise as the main image, and the noise of chain step s.
 */
const epsSeed = (seed: number): number => deriveSeed(seed, STREAM.forward);
const chainSeed = (seed: number, s: number): number => deriveSeed(seed, STREAM.forwardChain, s);

function checkT(t: number, T: number): void {
  if (!Number.isInteger(t) || t < 0 || t >= T) {
    throw new RangeError(`t must be an integer in [0, ${T - 1}] (got ${t})`);
  }
}

function checkSeed(seed: number): void {
  if (!Number.isSafeInteger(seed))
    throw new RangeError(`seed must be a safe integer (got ${seed})`);
}

function shapeOf(img: SourceImage): [number, number, number, number] {
  const { height, width, channels, data } = img;
  if (data.length !== height * width * channels) {
    throw new RangeError(
      `image has ${data.length} values but ${height}x${width}x${channels} needs ${height * width * channels}`,
    );
  }
  return [1, height, width, channels];
}

export class ForwardNoiser {
  private readonly schedules = new Map<string, Schedule>();

  private scheduleFor(opts: ScheduleOptions): Schedule {
    const key = `${opts.kind}/${opts.T}/${Boolean(opts.scaled)}`;
    let s = this.schedules.get(key);
    if (!s) {
      s = makeSchedule(opts);
      if (this.schedules.size > 8) this.schedules.clear();
      this.schedules.set(key, s);
    }
    return s;
  }

  async noise(
    img: SourceImage,
    t: number,
    scheduleOpts: ScheduleOptions,
    seed: number,
    mode: NoiseMode = 'closed',
  ): Promise<NoisedImage> {
    const schedule = this.scheduleFor(scheduleOpts);
    checkT(t, schedule.T);
    checkSeed(seed);
    const shape = shapeOf(img);
    const x0 = tf.tensor4d(img.data, shape);
    let eps: tf.Tensor4D;
    let xt: tf.Tensor4D;
    if (mode === 'closed') {
      [eps, xt] = tf.tidy(() => {
        const e = tf.randomNormal(shape, 0, 1, 'float32', epsSeed(seed)) as tf.Tensor4D;
        return [e, qSample(x0, t, e, schedule)];
      });
    } else {
      xt = x0.clone();
      for (let s = 0; s <= t; s++) {
        const next = tf.tidy(() =>
          qStep(xt, s, tf.randomNormal(shape, 0, 1, 'float32', chainSeed(seed, s)), schedule),
        );
        xt.dispose();
        xt = next as tf.Tensor4D;
      }
      // The ε that the closed form would need to land on this x_t (Ho et al. 2020, eq. 4).
      eps = tf.tidy(() =>
        tf.div(
          tf.sub(xt, tf.mul(x0, schedule.sqrtAlphaBars[t])),
          schedule.sqrtOneMinusAlphaBars[t],
        ),
      ) as tf.Tensor4D;
    }
    try {
      // One asynchronous readback of everything (synchronous reads return zeros on WebGPU).
      const [epsData, xtData] = await Promise.all([eps.data(), xt.data()]);
      // Copies: the caller may transfer these buffers, and a backend may own the originals.
      return {
        x0: new Float32Array(img.data),
        eps: new Float32Array(epsData),
        xt: new Float32Array(xtData),
        shape,
      };
    } finally {
      tf.dispose([x0, eps, xt]);
    }
  }

  /**
   * x_t at `frames` evenly spaced t for the linear and the cosine schedule, with one shared ε,
   * as in Nichol & Dhariwal 2021, Fig. 3. All frames come from one batched computation.
   */
  async filmstrip(
    img: SourceImage,
    T: number,
    frames: number,
    seed: number,
    linearScaled = false,
  ): Promise<Filmstrip> {
    if (!Number.isInteger(frames) || frames < 2 || frames > 32) {
      throw new RangeError(`frames must be an integer in [2, 32] (got ${frames})`);
    }
    checkSeed(seed);
    const linear = this.scheduleFor({ kind: 'linear', T, scaled: linearScaled && T > 20 });
    const cosine = this.scheduleFor({ kind: 'cosine', T });
    const timesteps = Array.from({ length: frames }, (_, k) =>
      Math.round((k * (T - 1)) / (frames - 1)),
    );
    const shape = shapeOf(img);
    const [, h, w, c] = shape;
    const both = tf.tidy(() => {
      const x0 = tf.tensor4d(img.data, shape);
      const eps = tf.randomNormal(shape, 0, 1, 'float32', epsSeed(seed));
      const batch = (s: Schedule) => {
        const ts = tf.tensor1d(timesteps, 'int32');
        const x0s = tf.tile(x0, [frames, 1, 1, 1]) as tf.Tensor4D;
        const es = tf.tile(eps, [frames, 1, 1, 1]) as tf.Tensor4D;
        return qSample(x0s, ts, es, s);
      };
      return tf.concat([batch(linear), batch(cosine)], 0);
    });
    try {
      const data = await both.data();
      const size = h * w * c;
      const frame = (i: number) => new Float32Array(data.subarray(i * size, (i + 1) * size));
      return {
        timesteps,
        frames: [timesteps.map((_, k) => frame(k)), timesteps.map((_, k) => frame(frames + k))],
        shape,
      };
    } finally {
      both.dispose();
    }
  }
}
