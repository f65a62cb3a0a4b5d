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
import type { ScoreSamplerOptions } from '../sampling/scoreOptions';
import { scoreStepNumbers, type ScoreStepNumbers } from './scoreFrame';
import { ClassifierGuide } from '../sampling/classifierGuide';
import { usesClassifier, type GuidanceMethod } from '../sampling/guidanceMethod';
import type { NoisyClassifier } from '../../model/noisyClassifier';
import type { SamplingPeerLink } from './samplingPeer';
import type { EpsPeer } from '../sampling/splitEps';
import { paced, PROGRESS_INTERVAL_MS } from '../paced';

export interface SamplingRequest extends ScoreSamplerOptions {
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
  /** Default classifier-free; classifier/both need the noise-aware classifier (guidanceMethod.ts). */
  guidanceMethod?: GuidanceMethod;
  /** s of classifier guidance (Dhariwal & Nichol 2021), >= 0; default 1. */
  classifierScale?: number;
}

export interface SamplingProgress {
  stepsDone: number;
  totalSteps: number;
}

export interface SamplingFrame {
  shape: [number, number, number, number];
  stepsDone: number;
  totalSteps: number;
  /** Network evaluations so far and in the whole run. */
  nfeDone: number;
  totalNfe: number;
  /** Score samplers: the last step's coefficients (for the formula), else null. */
  score: ScoreStepNumbers | null;
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
  guidanceMethod?: GuidanceMethod;
  /** The noisy classifier at the last step's x_t: p(· | x_t, t) [n·K] and g (NHWC); else null. */
  classifier?: { scale: number; probs: Float32Array; grad: Float32Array } | null;
  /**
   * How many images each worker computed in the last step, the compute worker first
   * (splitEps.ts); empty when it computed them all.
   */
  splitCounts?: number[];
}

function toFrame(
  s: SamplingSnapshot,
  guidanceScale: number,
  { sampler, clipX0 }: Pick<ResolvedOptions, 'sampler' | 'clipX0'>,
  session: SamplingSession,
  guidanceMethod: GuidanceMethod,
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
    nfeDone: s.nfeDone,
    totalNfe: s.totalNfe,
    score: s.step ? scoreStepNumbers(session.planStep(s.step.index)) : null,
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
    guidanceMethod,
    classifier: step?.classifier
      ? {
          scale: step.classifier.scale,
          probs: new Float32Array(step.classifier.probs),
          grad: new Float32Array(step.classifier.grad),
        }
      : null,
    splitCounts: [...session.splitCounts],
  };
}

export class SamplingController {
  private session: SamplingSession | null = null;
  private lease: WeightsLease | null = null;
  private scale = 1;
  private guide: ClassifierGuide | null = null;
  private method: GuidanceMethod = 'classifier-free';
  private peerLinks: SamplingPeerLink[] = [];
  /** The peers the current run was given, by link. */
  private runPeers: { session: SamplingSession | null; byLink: Map<SamplingPeerLink, EpsPeer> } = {
    session: null,
    byLink: new Map(),
  };
  private computeHere = true;

  /**
   * Workers that compute parts of each step from the next run on (splitEps.ts); `computeHere`
   * false: this worker computes none while a peer is ready.
   */
  setPeerLinks(links: readonly SamplingPeerLink[], computeHere: boolean): void {
    this.peerLinks = [...links];
    this.computeHere = computeHere;
    // A run already going (the page's first grid starts before its peers exist) takes them too.
    if (this.session && this.lease) this.attachPeers(this.session, this.lease, this.guide);
  }

  /**
   * Gives the session a peer per link. A link that already serves this session keeps its peer:
   * the page attaches its workers one at a time, and each forLease uploads the weights again.
   */
  private attachPeers(
    session: SamplingSession,
    lease: WeightsLease,
    guide: ClassifierGuide | null,
  ): void {
    // Classifier guidance needs the gradient of the whole batch here: no peers then.
    if (guide !== null) return;
    const runPeers = this.runPeers.session === session ? this.runPeers.byLink : new Map();
    const peers: EpsPeer[] = [];
    for (const link of this.peerLinks) {
      const peer = runPeers.get(link) ?? link.forLease(lease);
      if (peer === null) continue;
      runPeers.set(link, peer);
      peers.push(peer);
    }
    this.runPeers = { session, byLink: runPeers };
    session.setPeers(peers, this.computeHere);
  }

  /** `classifier` (not owned) is needed when req.guidanceMethod is classifier or both. */
  async start(
    lease: WeightsLease,
    schedule: Schedule,
    req: SamplingRequest,
    classifier: NoisyClassifier | null = null,
  ): Promise<SamplingFrame> {
    let session: SamplingSession;
    const method = req.guidanceMethod ?? 'classifier-free';
    let guide: ClassifierGuide | null = null;
    try {
      if (usesClassifier(method)) {
        if (!classifier) throw new Error(`guidance ${method} needs the noise-aware classifier`);
        if (req.classes === null) throw new RangeError(`guidance ${method} needs a class`);
        guide = new ClassifierGuide(
          classifier,
          Int32Array.from(req.classes),
          req.classifierScale ?? 1,
        );
      }
      const classifierOnly = method === 'classifier';
      session = new SamplingSession(
        lease.model,
        schedule,
        {
          n: req.n,
          sampler: req.sampler,
          // DDPM with steps < T: the respaced schedule (improved-diffusion respace.py).
          steps: req.steps,
          snr: req.snr,
          langevinSteps: req.langevinSteps,
          eta: req.sampler === 'ddim' ? req.eta : undefined,
          variance: req.sampler === 'ddpm' ? req.variance : undefined,
          // Classifier guidance alone steers the model's null class (guidanceMethod.ts).
          classes: classifierOnly ? null : req.classes,
          seed: req.seed,
          guidanceScale: classifierOnly ? 1 : req.guidanceScale,
          clipX0: req.clipX0,
        },
        guide,
      );
    } catch (e) {
      lease.release();
      throw e;
    }
    this.attachPeers(session, lease, guide);
    this.stop();
    this.session = session;
    this.lease = lease;
    this.scale = req.guidanceScale;
    this.guide = guide;
    this.method = method;
    return this.frame(session);
  }

  private require(): SamplingSession {
    if (!this.session) throw new Error('no sampling run: press Sample first');
    return this.session;
  }

  /**
   * Runs up to k steps (fewer if cancelled or done) and returns the frame after the last one:
   * one readback for all k steps. `onProgress` hears of the steps without reading anything back,
   * at most every PROGRESS_INTERVAL_MS and after the last one (paced.ts).
   */
  async advance(k: number, onProgress?: (p: SamplingProgress) => void): Promise<SamplingFrame> {
    const session = this.require();
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be an integer >= 1 (got ${k})`);
    const end = Math.min(session.stepsDone + k, session.totalSteps);
    const report =
      onProgress &&
      paced(onProgress, PROGRESS_INTERVAL_MS, (p: SamplingProgress) => p.stepsDone >= end);
    await session.advance(
      k,
      report && {
        onProgress: ({ stepsDone, totalSteps }) => report({ stepsDone, totalSteps }),
      },
    );
    // A new run (or a new model) may have replaced this one while it stepped.
    if (this.session !== session) throw new Error('this sampling run was stopped');
    return this.frame(session);
  }

  async current(): Promise<SamplingFrame> {
    return this.frame(this.require());
  }

  private async frame(session: SamplingSession): Promise<SamplingFrame> {
    return toFrame(await session.current(), this.scale, session.options, session, this.method);
  }

  /** Classifier guidance's s, from the next step on; a no-op without classifier guidance. */
  setClassifierScale(s: number): void {
    this.guide?.setScale(s);
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
    this.guide = null;
    this.lease?.release();
    this.lease = null;
    this.runPeers = { session: null, byLink: new Map() };
  }
}
