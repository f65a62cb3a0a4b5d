// The forward-noising view's computation: one data-set image x_0, noise eps from a seed, and
// x_t from the closed form q(x_t | x_0) (Ho et al. 2020, eq. 4), computed on the active backend.
import * as tf from '@tensorflow/tfjs';
import { makeSchedule, type Schedule, type ScheduleOptions } from '../diffusion/schedule';
import { qSample } from '../diffusion/forward';
import { toFloatImage, type Dataset } from '../data/dataset';

export interface NoisedImage {
  x0: Float32Array;
  eps: Float32Array;
  xt: Float32Array;
  shape: [number, number, number, number];
  label: number;
}

export class ForwardNoiser {
  private schedule: Schedule | null = null;

  private scheduleFor(opts: ScheduleOptions): Schedule {
    const s = this.schedule;
    if (s && s.kind === opts.kind && s.T === opts.T && s.scaled === Boolean(opts.scaled)) return s;
    this.schedule = makeSchedule(opts);
    return this.schedule;
  }

  async noise(
    ds: Dataset,
    index: number,
    t: number,
    scheduleOpts: ScheduleOptions,
    seed: number,
  ): Promise<NoisedImage> {
    const schedule = this.scheduleFor(scheduleOpts);
    if (!Number.isInteger(index) || index < 0 || index >= ds.count) {
      throw new RangeError(`image index must be an integer in [0, ${ds.count - 1}] (got ${index})`);
    }
    if (!Number.isInteger(t) || t < 0 || t >= schedule.T) {
      throw new RangeError(`t must be an integer in [0, ${schedule.T - 1}] (got ${t})`);
    }
    if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number (got ${seed})`);
    const shape: [number, number, number, number] = [1, ds.height, ds.width, ds.channels];
    const x0Values = toFloatImage(ds, index);
    const [x0, eps, xt] = tf.tidy(() => {
      const x0t = tf.tensor4d(x0Values, shape);
      const epsT = tf.randomNormal(shape, 0, 1, 'float32', seed) as tf.Tensor4D;
      return [x0t, epsT, qSample(x0t, t, epsT, schedule)];
    });
    try {
      // One readback of everything: never dataSync() (returns zeros on WebGPU).
      const [epsData, xtData] = await Promise.all([eps.data(), xt.data()]);
      return {
        x0: x0Values,
        // Copies: the caller may transfer these buffers, and a backend may own the originals.
        eps: new Float32Array(epsData),
        xt: new Float32Array(xtData),
        shape,
        label: ds.labels[index],
      };
    } finally {
      tf.dispose([x0, eps, xt]);
    }
  }
}
