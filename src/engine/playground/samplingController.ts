// One interactive sampling run at a time, stepped by the UI: start, advance k steps (cancellable),
// change the guidance scale between steps. Each frame carries x_t, x̂_0 and the noise predictions
// of the last step, read back together.
import {
  SamplingSession,
  type ResolvedOptions,
  type SamplerKind,
  type SamplingSnapshot,
} from '../sampling';
import type { ReverseVariance } from '../sampling/options';
import type { Schedule } from '../../diffusion/schedule';
import type { WeightsLease } from './weights';
import { samplingWarning } from '../sampling/health';

export interface SamplingRequest {
  n: number;
  sampler: SamplerKind;
  steps?: number;
  eta?: number;
  /** One label per image, or null for unconditional sampling. */
  classes: number[] | null;
  seed: number;
  guidanceScale: number;
  /** Clip x̂_0 to [−1, 1] in every step (default true; see samplers.ts). */
  clipX0?: boolean;
  /**
   * DDPM only: σ_t² = β_t (default) or β̃_t, the posterior variance (Ho et al. 2020, Sec. 3.2), or
   * "learned": the model's Σ_θ (Nichol & Dhariwal 2021, eq. 15), refused for a model without it.
   */
  variance?: ReverseVariance;
}

export interface SamplingProgress {
  stepsDone: number;
  totalSteps: number;
}

export interface SamplingFrame {
  shape: [number, number, number, number];
  stepsDone: number;
  totalSteps: number;
  done: boolean;
  /** Timestep fed to the model at the last step; null before the first step. */
  t: number | null;
  guidanceScale: number;
  guided: boolean;
  /** The run's sampler, and whether it clips x̂_0 to [−1, 1]. */
  sampler: SamplerKind;
  clipX0: boolean;
  /** The current latent (x_T before the first step, the samples at the end). */
  x: Float32Array;
  xt: Float32Array | null;
  /** The x̂_0 the update used (clipped when clipX0). */
  x0Pred: Float32Array | null;
  /** The network's (guided) ε̃. */
  eps: Float32Array | null;
  /** The ε the update used: re-derived from the clipped x̂_0 when clipX0, else eps. */
  epsUsed: Float32Array | null;
  epsCond: Float32Array | null;
  epsUncond: Float32Array | null;
  /** Set when the arrays show a broken model (NaN, infinities, saturation): see health.ts. */
  warning: string | null;
}

function toFrame(
  s: SamplingSnapshot,
  guidanceScale: number,
  { sampler, clipX0 }: Pick<ResolvedOptions, 'sampler' | 'clipX0'>,
): SamplingFrame {
  const step = s.step;
  // Copies: the frame's buffers are transferred to the UI, and the snapshot arrays share one.
  const copy = (a: Float32Array | null | undefined) => (a ? new Float32Array(a) : null);
  const warning = samplingWarning({ x: s.x, eps: step?.eps ?? null, x0Pred: step?.x0Pred ?? null });
  return {
    warning,
    shape: s.shape,
    stepsDone: s.stepsDone,
    totalSteps: s.totalSteps,
    done: s.done,
    t: step ? step.t : null,
    guidanceScale: step ? step.guidanceScale : guidanceScale,
    guided: step ? step.guided : false,
    sampler,
    clipX0,
    x: new Float32Array(s.x),
    xt: copy(step?.xt),
    x0Pred: copy(step?.x0Pred),
    eps: copy(step?.eps),
    epsUsed: copy(step?.epsUsed),
    epsCond: copy(step?.epsCond),
    epsUncond: copy(step?.epsUncond),
  };
}

export class SamplingController {
  private session: SamplingSession | null = null;
  private lease: WeightsLease | null = null;
  private scale = 1;

  async start(
    lease: WeightsLease,
    schedule: Schedule,
    req: SamplingRequest,
  ): Promise<SamplingFrame> {
    let session: SamplingSession;
    try {
      session = new SamplingSession(lease.model, schedule, {
        n: req.n,
        sampler: req.sampler,
        steps: req.sampler === 'ddim' ? req.steps : undefined,
        eta: req.sampler === 'ddim' ? req.eta : undefined,
        variance: req.sampler === 'ddpm' ? req.variance : undefined,
        classes: req.classes,
        seed: req.seed,
        guidanceScale: req.guidanceScale,
        clipX0: req.clipX0,
      });
    } catch (e) {
      lease.release();
      throw e;
    }
    this.stop();
    this.session = session;
    this.lease = lease;
    this.scale = req.guidanceScale;
    return toFrame(await session.current(), this.scale, session.options);
  }

  private require(): SamplingSession {
    if (!this.session) throw new Error('no sampling run: press Sample first');
    return this.session;
  }

  /**
   * Runs up to k steps (fewer if cancelled or done) and returns the frame after the last one:
   * one readback for all k steps. `onProgress` hears of every step without reading anything back.
   */
  async advance(k: number, onProgress?: (p: SamplingProgress) => void): Promise<SamplingFrame> {
    const session = this.require();
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be an integer >= 1 (got ${k})`);
    await session.advance(
      k,
      onProgress && {
        onProgress: ({ stepsDone, totalSteps }) => onProgress({ stepsDone, totalSteps }),
      },
    );
    // A new run (or a new model) may have replaced this one while it stepped.
    if (this.session !== session) throw new Error('this sampling run was stopped');
    return toFrame(await session.current(), this.scale, session.options);
  }

  async current(): Promise<SamplingFrame> {
    const session = this.require();
    return toFrame(await session.current(), this.scale, session.options);
  }

  /** Applies from the next step on. */
  setGuidanceScale(s: number): void {
    this.scale = s;
    this.session?.setGuidanceScale(s);
  }

  cancel(): void {
    this.session?.cancel();
  }

  /** Ends the run and frees its tensors (and an EMA copy, if it used one). */
  stop(): void {
    this.session?.cancel();
    this.session?.dispose();
    this.session = null;
    this.lease?.release();
    this.lease = null;
  }
}
