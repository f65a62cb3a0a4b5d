// The guidance trade-off, live in the worker: evaluateGuidance (src/engine/evaluation) on the
// model in use, scored by the judge of its data set (MNIST or CIFAR-10). Each judge's three files
// are fetched once, on the first run that needs them, and kept as validated bytes; its tensors exist only while a run needs them, so the tensor
// count after a run is what it was before. One run at a time; cancellable between denoising
// steps; a run that fails (a download, a bad file, a model the judge cannot score) changes
// nothing else.
import { SingleRun } from './singleRun';
import type { Schedule } from '../../diffusion/schedule';
import {
  compareGuidance,
  evaluateGuidance,
  type ComparedMethod,
  type EvaluationProgress,
  type GuidanceEvaluation,
  type ScaleResult,
} from '../evaluation';
import { loadJudge, type Judge } from '../judge/load';
import type { MeasuredAccuracy, RawJudge } from '../judge/types';
import type { NoisyClassifier } from '../../model/noisyClassifier';
import type { WeightsLease } from './weights';
import type { SamplingPeerLink } from './samplingPeer';
import type { NfeResult } from '../evaluation';
import {
  runSamplerEvaluation,
  type SamplerEvaluationEvent,
  type SamplerEvaluationRequest,
} from './samplerEvaluation';

export interface EvaluationRequest {
  /** Guidance scales s, in the order they are run (ε̃ = ε_u + s·(ε_c − ε_u)). */
  scales: number[];
  /** Class-balanced samples per scale (image i asks for class i mod 10). */
  samplesPerScale: number;
  /** DDIM steps (η = 0). */
  steps: number;
  seed: number;
  /** Samples per scale sent back as images (default one per class). */
  keepImages?: number;
  /**
   * classifier-free (default): `scales` are classifier-free scales. classifier: `scales` are
   * classifier-guidance scales (0..30) with the model on its null class (needs target.classifier).
   * both: the two side by side in one run (compareGuidance): `scales` classifier-free, then
   * `classifierScales`, the same noise and classes for both curves.
   */
  guidanceMethod?: 'classifier-free' | 'classifier' | 'both';
  /** With guidanceMethod 'both': the classifier scales (0..30). */
  classifierScales?: number[];
}

/** What the page says about the judge. */
export interface JudgeSummary {
  dataset: string;
  classNames: string[];
  /** Its accuracy on the real test split, as measured after training (model.json). */
  testAccuracy: MeasuredAccuracy | null;
  featureDim: number;
  /** Real images behind the Fréchet reference and the diversity baseline. */
  referenceCount: number;
  referenceSplit: string;
}

export type EvaluationEvent =
  | { type: 'judge'; judge: JudgeSummary }
  | { type: 'progress'; progress: EvaluationProgress }
  /** `method`: which curve the result belongs to (a side-by-side run streams both). */
  | { type: 'scale'; result: ScaleResult; method: ComparedMethod };

/** The whole run without the images (each scale's images came with its 'scale' event). */
export interface EvaluationSummary extends Omit<GuidanceEvaluation, 'results'> {
  results: Omit<ScaleResult, 'images' | 'labels'>[];
  /** A side-by-side run: the classifier-guidance curve (`results` is the classifier-free one). */
  classifierCurve?: Omit<EvaluationSummary, 'classifierCurve'>;
}

/** The model to evaluate: weights the run may keep using whatever happens to the slot. */
export interface EvaluationTarget {
  lease: WeightsLease;
  schedule: Schedule;
  /** The data set the model was trained on (only the judge's can be scored). */
  dataset: string;
  /** The noise-aware classifier, for guidanceMethod 'classifier' (not owned). */
  classifier?: NoisyClassifier;
}

/** The largest classifier-guidance scale an evaluation sweeps. */
export const MAX_CLASSIFIER_GUIDANCE_SCALE = 30;

/** Each data set's judge folder beside the pretrained models (models/<dataset>-classifier/). */
export const JUDGE_FOLDERS: Readonly<Record<string, string>> = {
  mnist: 'mnist-classifier/',
  cifar10: 'cifar10-classifier/',
};

/** The judge folder of a data set; a RangeError names the data sets that have one. */
export function judgeFolder(dataset: string): string {
  const folder = Object.hasOwn(JUDGE_FOLDERS, dataset) ? JUDGE_FOLDERS[dataset] : undefined;
  if (folder === undefined) {
    throw new RangeError(
      `no judge for ${dataset} images (judges exist for ${Object.keys(JUDGE_FOLDERS).join(', ')})`,
    );
  }
  return folder;
}
export const MAX_SCALES = 12;
export const MAX_SAMPLES_PER_SCALE = 1000;
/** Beyond this the guided ε is far outside anything the network was trained to predict. */
export const MAX_GUIDANCE_SCALE = 20;
/** Images per sampling batch: guidance runs the network on twice as many. */
const BATCH = 50;

export class EvaluationCancelled extends Error {
  constructor(reason = 'cancelled') {
    super(reason);
    this.name = 'EvaluationCancelled';
  }
}

function checkScales(scales: unknown, max: number, what: string): void {
  if (!Array.isArray(scales) || scales.length < 1 || scales.length > MAX_SCALES) {
    throw new RangeError(`give 1 to ${MAX_SCALES} ${what} (got ${String(scales)})`);
  }
  for (const s of scales as unknown[]) {
    if (typeof s !== 'number' || !(s >= 0 && s <= max)) {
      throw new RangeError(`${what} must be numbers in [0, ${max}] (got ${String(s)})`);
    }
  }
}

function checkRequest(req: EvaluationRequest, T: number, numClasses: number): void {
  const { samplesPerScale: n, steps, seed } = req;
  const method = req.guidanceMethod ?? 'classifier-free';
  if (method !== 'classifier-free' && method !== 'classifier' && method !== 'both') {
    throw new RangeError(`unknown guidance method ${String(method)}`);
  }
  const classifier = method === 'classifier';
  checkScales(
    req.scales,
    classifier ? MAX_CLASSIFIER_GUIDANCE_SCALE : MAX_GUIDANCE_SCALE,
    classifier ? 'classifier scales' : 'guidance scales',
  );
  if (method === 'both') {
    checkScales(req.classifierScales, MAX_CLASSIFIER_GUIDANCE_SCALE, 'classifier scales');
  }
  if (!Number.isInteger(n) || n < 2 * numClasses || n > MAX_SAMPLES_PER_SCALE) {
    throw new RangeError(
      `samples per scale must be an integer in [${2 * numClasses}, ${MAX_SAMPLES_PER_SCALE}] ` +
        `(two per class at least; got ${n})`,
    );
  }
  if (!Number.isInteger(steps) || steps < 1 || steps > T) {
    throw new RangeError(`DDIM steps must be an integer in [1, ${T}] (got ${steps})`);
  }
  if (!Number.isInteger(seed) || seed < 0) {
    throw new RangeError(`the seed must be an integer >= 0 (got ${seed})`);
  }
}

function summariseJudge(judge: Judge): JudgeSummary {
  return {
    dataset: judge.manifest.dataset,
    classNames: [...judge.manifest.classNames],
    testAccuracy: judge.manifest.testAccuracy ?? null,
    featureDim: judge.classifier.config.featureDim,
    referenceCount: judge.reference.count,
    referenceSplit: judge.reference.split,
  };
}

function withoutImages(e: GuidanceEvaluation): EvaluationSummary {
  return {
    ...e,
    results: e.results.map(({ images: _images, labels: _labels, ...rest }) => rest),
  };
}

export class EvaluationController {
  /** Each data set's judge files once fetched; dropped when fetching or validating them fails. */
  private readonly raw = new Map<string, Promise<RawJudge>>();
  private readonly single = new SingleRun();
  private peerLinks: SamplingPeerLink[] = [];
  private computeHere = true;

  /** Sampling workers for the runs that start from now on (see SamplingController). */
  setPeerLinks(links: readonly SamplingPeerLink[], computeHere: boolean): void {
    this.peerLinks = [...links];
    this.computeHere = computeHere;
  }

  /** `fetchJudge` gets a data set's judge files (e.g. fetchJudge(url) in the worker). */
  constructor(private readonly fetchJudge: (dataset: string) => Promise<RawJudge>) {}

  get running(): boolean {
    return this.single.running;
  }

  /**
   * Runs the evaluation on `target` (whose lease it releases when done, however it ends) and
   * reports the judge, progress and each scale's result through `listener`. Rejects with
   * EvaluationCancelled when cancelled; refuses to start while another run is in progress.
   */
  async run(
    target: EvaluationTarget,
    req: EvaluationRequest,
    listener: (e: EvaluationEvent) => void,
  ): Promise<EvaluationSummary> {
    return this.single.start(
      (signal) => this.evaluate(target, req, listener, signal),
      'an evaluation is already running: cancel it first',
      () => target.lease.release(),
    );
  }

  /** Quality against NFE per sampler (samplerEvaluation.ts), one run at a time like run(). */
  async runSamplers(
    target: EvaluationTarget,
    req: SamplerEvaluationRequest,
    listener: (e: SamplerEvaluationEvent) => void,
  ): Promise<NfeResult[]> {
    return this.single.start(
      async (signal) => {
        try {
          const load = () => this.loadJudge(target.dataset);
          return await runSamplerEvaluation(target, req, load, listener, signal);
        } catch (e) {
          if (signal.aborted) {
            const reason: unknown = signal.reason;
            throw reason instanceof EvaluationCancelled ? reason : new EvaluationCancelled();
          }
          throw e;
        } finally {
          target.lease.release();
        }
      },
      'an evaluation is already running: cancel it first',
      () => target.lease.release(),
    );
  }

  private async evaluate(
    target: EvaluationTarget,
    req: EvaluationRequest,
    listener: (e: EvaluationEvent) => void,
    signal: AbortSignal,
  ): Promise<EvaluationSummary> {
    let judge: Judge | null = null;
    try {
      const { model } = target.lease;
      checkRequest(req, target.schedule.T, model.config.numClasses);
      judge = await this.loadJudge(target.dataset);
      signal.throwIfAborted();
      const want = judge.manifest.dataset;
      if (target.dataset !== want) {
        throw new RangeError(
          `the judge scores ${want} images, but the model in use was trained on ${target.dataset}`,
        );
      }
      listener({ type: 'judge', judge: summariseJudge(judge) });
      const k = judge.classifier.config.numClasses;
      const common = {
        unet: model,
        schedule: target.schedule,
        judge: judge.classifier,
        reference: judge.reference,
        samplesPerScale: req.samplesPerScale,
        steps: req.steps,
        eta: 0,
        seed: req.seed,
        batch: Math.min(BATCH, req.samplesPerScale),
        keepImages: Math.max(0, Math.min(req.keepImages ?? k, req.samplesPerScale)),
        signal,
        // Classifier guidance runs in this worker alone; when its curve is set beside the
        // classifier-free one (both), neither uses the sampling workers, so that their times
        // per image compare the methods and not the number of workers.
        peers:
          req.guidanceMethod === 'both'
            ? undefined
            : {
                peers: this.peerLinks
                  .map((l) => l.forLease(target.lease))
                  .filter((p) => p !== null),
                computeHere: this.computeHere,
              },
      };
      // Not awaited: sampling must not wait for the page to hear of each step.
      const onProgress = (progress: EvaluationProgress) => listener({ type: 'progress', progress });
      if (req.guidanceMethod === 'both') {
        if (!target.classifier) throw new RangeError('guidance both needs the noisy classifier');
        const both = await compareGuidance({
          ...common,
          cfgScales: req.scales,
          classifierScales: req.classifierScales ?? [],
          classifier: target.classifier,
          onProgress: (_method, progress) => onProgress(progress),
          onScale: (method, result) => listener({ type: 'scale', result, method }),
        });
        return {
          ...withoutImages(both.classifierFree),
          classifierCurve: withoutImages(both.classifier),
        };
      }
      const method = req.guidanceMethod ?? 'classifier-free';
      const result = await evaluateGuidance({
        ...common,
        scales: req.scales,
        onProgress,
        onScale: (result) => listener({ type: 'scale', result, method }),
        guidanceMethod: method,
        classifier: target.classifier,
      });
      return withoutImages(result);
    } catch (e) {
      if (signal.aborted) {
        const reason: unknown = signal.reason;
        throw reason instanceof EvaluationCancelled ? reason : new EvaluationCancelled();
      }
      throw e;
    } finally {
      judge?.classifier.dispose();
      target.lease.release();
    }
  }

  /** The data set's judge, validated, with fresh tensors (the caller disposes them). */
  private async loadJudge(dataset: string): Promise<Judge> {
    let raw = this.raw.get(dataset);
    if (!raw) {
      raw = this.fetchJudge(dataset);
      this.raw.set(dataset, raw);
    }
    try {
      return loadJudge(await raw);
    } catch (e) {
      // A failed download or a bad file is fetched again next time (it may be fixed by then).
      if (this.raw.get(dataset) === raw) this.raw.delete(dataset);
      throw e;
    }
  }

  /** Stops the run in progress after its current denoising step (no-op when none). */
  cancel(reason = 'cancelled'): void {
    this.single.cancel(new EvaluationCancelled(reason));
  }

  /** Cancels and waits until the run has freed everything. */
  async stop(reason?: string): Promise<void> {
    this.cancel(reason);
    await this.single.settled();
  }
}
