// Samplers side by side: two (or more) whole runs from the SAME starting noise x_T, the same
// classes and the same guidance scale, each with its own sampler and step count, so the only
// difference between the grids is the reverse process (e.g. DDPM's T ancestral steps, Ho et al.
// 2020 Alg. 2, against DDIM's S deterministic ones, Song et al. 2021 eq. 12). x_T is the session
// seed's stream 0 (seeds.ts) whatever the sampler, so equal seeds give equal x_T.
//
// A side is any SamplingOptions minus what the sides share, so a sampler added to SamplerKind
// (and its own options) works here without a new branch. One comparison at a time, cancellable
// between denoising steps; it does not touch the interactive run (samplingController.ts).
import { SingleRun } from './singleRun';
import { SamplingSession, usesGuidance, type SamplingOptions, type Shape4 } from '../sampling';
import type { Schedule } from '../../diffusion/schedule';
import type { WeightsLease } from './weights';
import { samplingWarning } from '../sampling/health';

/** What every side shares: the images, their noise, their classes and the guidance. */
type Shared = 'n' | 'classes' | 'seed' | 'guidanceScale' | 'clipX0' | 'recordTrajectory';

/** One side: a sampler and its own settings (steps, η, variance, …). */
export type ComparisonSide = Omit<SamplingOptions, Shared>;

export interface ComparisonRequest {
  n: number;
  /** One label per image, or null for unconditional sampling. */
  classes: number[] | null;
  seed: number;
  guidanceScale: number;
  clipX0?: boolean;
  sides: ComparisonSide[];
}

export interface ComparisonProgress {
  /** Index of the side running. */
  side: number;
  stepsDone: number;
  totalSteps: number;
}

export interface ComparisonSideResult {
  side: ComparisonSide;
  /** Denoising steps the sampler took. */
  steps: number;
  /** Network evaluations per image: one per step, two when guidance runs both predictions. */
  networkPasses: number;
  /** The samples x_0, NHWC. */
  x: Float32Array;
  ms: number;
  warning: string | null;
}

export interface ComparisonResult {
  shape: Shape4;
  /** The starting noise every side began from. */
  xT: Float32Array;
  sides: ComparisonSideResult[];
}

export const MAX_COMPARISON_SIDES = 4;

export class ComparisonCancelled extends Error {
  constructor(reason = 'cancelled') {
    super(reason);
    this.name = 'ComparisonCancelled';
  }
}

export class ComparisonController {
  private readonly single = new SingleRun();

  get running(): boolean {
    return this.single.running;
  }

  /**
   * Runs every side to the end, one after the other, and returns x_T and each side's samples.
   * Takes ownership of `lease` (released at the end, however the run ends). Rejects with a
   * ComparisonCancelled when cancelled, and at once when a comparison is already running.
   */
  run(
    lease: WeightsLease,
    schedule: Schedule,
    req: ComparisonRequest,
    onProgress?: (p: ComparisonProgress) => void,
  ): Promise<ComparisonResult> {
    return this.single.start(
      async (signal) => {
        try {
          return await compare(lease, schedule, req, signal, onProgress);
        } finally {
          lease.release();
        }
      },
      'a comparison is already running: wait for it or cancel it',
      () => lease.release(),
    );
  }

  cancel(reason = 'cancelled'): void {
    this.single.cancel(new ComparisonCancelled(reason));
  }

  settled(): Promise<unknown> {
    return this.single.settled();
  }
}

async function compare(
  lease: WeightsLease,
  schedule: Schedule,
  req: ComparisonRequest,
  signal: AbortSignal,
  onProgress?: (p: ComparisonProgress) => void,
): Promise<ComparisonResult> {
  const { sides } = req;
  if (!Array.isArray(sides) || sides.length < 1 || sides.length > MAX_COMPARISON_SIDES) {
    throw new RangeError(`a comparison needs 1 to ${MAX_COMPARISON_SIDES} sides`);
  }
  const shared = {
    n: req.n,
    classes: req.classes,
    seed: req.seed,
    guidanceScale: req.guidanceScale,
    clipX0: req.clipX0,
  };
  // Every side's options are checked before any runs: a bad second side fails at once (and
  // the sessions made before it are freed).
  const sessions: SamplingSession[] = [];
  try {
    for (const side of sides) {
      sessions.push(new SamplingSession(lease.model, schedule, { ...side, ...shared }));
    }
    const first = await sessions[0].current();
    const results: ComparisonSideResult[] = [];
    for (const [i, session] of sessions.entries()) {
      signal.throwIfAborted();
      const onAbort = () => session.cancel();
      signal.addEventListener('abort', onAbort, { once: true });
      const started = performance.now();
      try {
        const snap = await session.run({
          onProgress: ({ stepsDone, totalSteps }) =>
            onProgress?.({ side: i, stepsDone, totalSteps }),
        });
        signal.throwIfAborted();
        const { numClasses } = lease.model.config;
        const guided = usesGuidance(numClasses, session.options.classes, req.guidanceScale);
        results.push({
          side: sides[i],
          steps: session.totalSteps,
          networkPasses: session.totalSteps * (guided ? 2 : 1),
          x: snap.x,
          ms: performance.now() - started,
          warning: samplingWarning({ x: snap.x, eps: null, x0Pred: null }),
        });
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    }
    return { shape: first.shape, xT: first.x, sides: results };
  } finally {
    sessions.forEach((s) => s.dispose());
  }
}
