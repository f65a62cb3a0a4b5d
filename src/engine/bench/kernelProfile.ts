// Where a U-Net training step spends its time, per kernel, on the current backend (issue 12):
// one forward pass and one Trainer step under tf.profile, summed per kernel name, with the
// number of GPU dispatches on webgpu. Shared by `npm run bench -- --profile` and the browser
// bench (the worker's benchTrainStep with profile: true).
//
// On wasm kernels run synchronously, so each kernel's time is its wall time; a kernel of ours
// that calls others (src/engine/backends/wasmCalls.ts) counts them in its own time. On webgpu a
// kernel's time comes from timestamp queries when the adapter offers them, else it is 0 and only
// the dispatch counts say anything.
import * as tf from '@tensorflow/tfjs';
import type { Trainer } from '../training/trainer';
import type { UNet } from '../../model/unet';

export interface KernelTotal {
  kernel: string;
  ms: number;
  calls: number;
}

export interface PassProfile {
  /** Wall time of the profiled pass (profiling adds overhead: compare ratios, not times). */
  wallMs: number;
  /** Sum of the kernels' own times. */
  kernelMs: number;
  kernels: KernelTotal[];
  /** webgpu only: compute dispatches the pass recorded. */
  dispatches?: number;
}

export interface StepProfile {
  forward: PassProfile;
  step: PassProfile;
}

const round = (x: number, digits = 1) => Number(x.toFixed(digits));

/** Sums tf.profile's kernels per name, most expensive first, keeping `top`. */
export function totalsByKernel(
  // tf.profile has awaited each kernelTimeMs by the time it resolves: a number, or an error.
  kernels: { name: string; kernelTimeMs: unknown }[],
  top = 30,
): { kernelMs: number; kernels: KernelTotal[] } {
  const by = new Map<string, KernelTotal>();
  let kernelMs = 0;
  for (const k of kernels) {
    // A custom-gradient op ("fusedConv2d__op") is recorded around the kernels it runs, which
    // are recorded too: counting it would count them twice.
    if (k.name.endsWith('__op')) continue;
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    kernelMs += ms;
    const e = by.get(k.name) ?? { kernel: k.name, ms: 0, calls: 0 };
    e.ms += ms;
    e.calls += 1;
    by.set(k.name, e);
  }
  const sorted = [...by.values()]
    .sort((a, b) => b.ms - a.ms || b.calls - a.calls)
    .slice(0, top)
    .map((e) => ({ ...e, ms: round(e.ms) }));
  return { kernelMs: round(kernelMs), kernels: sorted };
}

interface DispatchCounting {
  recordAndSubmit?: (...args: unknown[]) => unknown;
}

/**
 * Counts the compute dispatches fn records on the webgpu backend (tfjs-backend-webgpu 4.22
 * records each one through backend.recordAndSubmit); undefined on other backends.
 */
export async function countDispatches<T>(
  fn: () => Promise<T>,
): Promise<{ result: T; dispatches?: number }> {
  const backend = tf.backend() as unknown as DispatchCounting;
  const original = backend.recordAndSubmit;
  if (tf.getBackend() !== 'webgpu' || typeof original !== 'function') {
    return { result: await fn() };
  }
  let dispatches = 0;
  backend.recordAndSubmit = function (this: unknown, ...args: unknown[]) {
    dispatches++;
    return original.apply(this, args);
  };
  try {
    return { result: await fn(), dispatches };
  } finally {
    backend.recordAndSubmit = original;
  }
}

async function profilePass(run: () => Promise<void>, top: number): Promise<PassProfile> {
  const start = performance.now();
  const { result: info, dispatches } = await countDispatches(() =>
    tf.profile(async () => {
      await run();
      return [];
    }),
  );
  const wallMs = round(performance.now() - start);
  const totals = totalsByKernel(info.kernels, top);
  return dispatches === undefined ? { wallMs, ...totals } : { wallMs, ...totals, dispatches };
}

/**
 * Profiles one forward pass (x, t, y at the training batch, read back) and one Trainer step
 * (with its report readback) of a warmed-up model and trainer. Leaks nothing.
 */
export async function profileStep(
  unet: UNet,
  trainer: Trainer,
  batch: number,
  top = 30,
): Promise<StepProfile> {
  const { imageSize: s, inChannels: c, numClasses } = unet.config;
  const x = tf.randomNormal([batch, s, s, c], 0, 1, 'float32', 7) as tf.Tensor4D;
  const t = tf.tensor1d(
    Array.from({ length: batch }, (_, i) => (i * 389) % 1000),
    'int32',
  );
  const y =
    numClasses > 0
      ? tf.tensor1d(
          Array.from({ length: batch }, (_, i) => i % numClasses),
          'int32',
        )
      : null;
  try {
    const forward = await profilePass(async () => {
      const out = unet.apply(x, t, y, { training: false });
      try {
        await out.data();
      } finally {
        out.dispose();
      }
    }, top);
    const step = await profilePass(async () => {
      if ((await trainer.step()) === null) throw new Error('internal: the step was not reported');
    }, top);
    return { forward, step };
  } finally {
    tf.dispose(y ? [x, t, y] : [x, t]);
  }
}
