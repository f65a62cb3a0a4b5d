// n images start to finish, in batches of at most `batch` (bounds memory: a forward pass keeps
// every activation of its batch alive), for the CLI and other whole-run callers.
import type { Schedule } from '../../diffusion/schedule';
import type { EpsModel } from './eps';
import type { SamplingOptions } from './options';
import { deriveSeed, STREAM } from '../../random/seeded';
import { ClassifierGuide } from './classifierGuide';
import type { ClassifierGuidanceOptions } from './guidanceMethod';
import { SamplingSession } from './session';
import type { EpsPeer } from './splitEps';

/** Workers that compute parts of each step (splitEps.ts); see SamplingSession.setPeers. */
export interface SamplePeers {
  peers: readonly EpsPeer[];
  computeHere: boolean;
}

export interface SampleImagesProgress {
  /** Images of earlier batches, all finished. */
  imagesDone: number;
  n: number;
  /** Steps done in the current batch. */
  stepsDone: number;
  totalSteps: number;
}

export interface SampleImagesOptions extends Omit<SamplingOptions, 'recordTrajectory'> {
  /** Images per session; default 64. */
  batch?: number;
  /** Checked after every step: when aborted, sampling stops and rejects with signal.reason. */
  signal?: AbortSignal;
  /** Awaited after every step. */
  onProgress?: (p: SampleImagesProgress) => void | Promise<void>;
  /** Classifier guidance (classifierGuide.ts) on top of whatever `classes` the model sees. */
  classifierGuidance?: ClassifierGuidanceOptions;
  /** Other workers sharing each step's batch (the images are the same); none by default. */
  peers?: SamplePeers;
}

/** The seed of batch k of a run: the run's seed for k = 0, a derived one after. */
export function batchSeed(seed: number, k: number): number {
  return k === 0 ? seed : deriveSeed(seed, STREAM.samplingBatch, k);
}

/**
 * Samples opts.n images; returns x_0 (NHWC, model space [−1, 1] when clipX0) for all of them.
 * Batch 0 uses opts.seed itself, so n ≤ batch reproduces a SamplingSession with the same seed;
 * batch k > 0 uses deriveSeed(seed, STREAM.samplingBatch, k).
 */
export async function sampleImages(
  model: EpsModel,
  schedule: Schedule,
  opts: SampleImagesOptions,
): Promise<Float32Array> {
  const { batch = 64, signal, onProgress, classifierGuidance: cg, peers, ...rest } = opts;
  if (cg && cg.classes.length !== opts.n) {
    throw new RangeError(`classifier guidance needs ${opts.n} classes, got ${cg.classes.length}`);
  }
  if (!Number.isInteger(batch) || batch < 1) {
    throw new RangeError(`batch must be an integer >= 1 (got ${batch})`);
  }
  const { imageSize, inChannels } = model.config;
  const perImage = imageSize * imageSize * inChannels;
  const out = new Float32Array(opts.n * perImage);
  for (let start = 0, k = 0; start < opts.n; start += batch, k++) {
    signal?.throwIfAborted();
    const n = Math.min(batch, opts.n - start);
    const seed = batchSeed(opts.seed, k);
    const classes = opts.classes === null ? null : opts.classes.slice(start, start + n);
    const guide = cg
      ? new ClassifierGuide(
          cg.classifier,
          Int32Array.from(cg.classes.slice(start, start + n)),
          cg.scale,
        )
      : null;
    const session = new SamplingSession(model, schedule, { ...rest, n, seed, classes }, guide);
    if (peers) session.setPeers(peers.peers, peers.computeHere);
    // Cancel between steps too, not only when the next progress report comes round.
    const onAbort = () => session.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const snap = await session.run({
        onProgress: async ({ stepsDone, totalSteps }) => {
          if (signal?.aborted) session.cancel();
          else await onProgress?.({ imagesDone: start, n: opts.n, stepsDone, totalSteps });
        },
      });
      signal?.throwIfAborted();
      if (!snap.done) throw new Error('sampling stopped before the last step');
      out.set(snap.x, start * perImage);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      session.dispose();
    }
  }
  return out;
}
