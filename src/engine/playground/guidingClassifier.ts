// The noise-aware classifier that classifier guidance uses in the app, per data set: the shipped
// one (models/<dataset>-noisy-classifier/, fetched once, validated, kept), or one trained in this
// browser (noisyClassifier/browserTraining.ts), which takes its place until it is dropped. Either
// is checked against the model in use before it guides it.
import type { NoisyClassifier } from '../../model/noisyClassifier';
import { createNoisyClassifier, decodeNoisyClassifier } from '../noisyClassifier/checkpoint';
import { classifierMismatch, type GuidedModelInfo } from '../noisyClassifier/compat';
import type { NoisyClassifierMeta } from '../noisyClassifier/types';

export const noisyClassifierFolder = (dataset: string): string => `${dataset}-noisy-classifier/`;

export type GuidingClassifierOrigin = 'shipped' | 'browser';

export interface LoadedGuidingClassifier {
  classifier: NoisyClassifier;
  manifest: NoisyClassifierMeta;
  origin: GuidingClassifierOrigin;
}

export class GuidingClassifiers {
  private readonly shipped = new Map<string, Promise<LoadedGuidingClassifier>>();
  private readonly trained = new Map<string, LoadedGuidingClassifier>();

  constructor(
    private readonly fetchRaw: (
      folder: string,
    ) => Promise<{ modelJson: unknown; weights: ArrayBuffer }>,
  ) {}

  private shippedFor(dataset: string): Promise<LoadedGuidingClassifier> {
    let p = this.shipped.get(dataset);
    if (!p) {
      p = this.fetchRaw(noisyClassifierFolder(dataset)).then((raw) => {
        const decoded = decodeNoisyClassifier(raw.modelJson, raw.weights);
        return {
          classifier: createNoisyClassifier(decoded),
          manifest: decoded.manifest,
          origin: 'shipped' as const,
        };
      });
      this.shipped.set(dataset, p);
      p.catch(() => this.shipped.delete(dataset));
    }
    return p;
  }

  /** The classifier for the model's data set; rejects with a clear message when it cannot guide it. */
  async forModel(model: GuidedModelInfo): Promise<LoadedGuidingClassifier> {
    const got = this.trained.get(model.dataset) ?? (await this.shippedFor(model.dataset));
    const why = classifierMismatch(got.manifest, model);
    if (why !== null)
      throw new Error(`classifier guidance is not available for this model: ${why}`);
    return got;
  }

  /**
   * Makes a classifier trained here the one that guides models of its data set. Returns the one
   * it replaces, if that was trained here too (the caller disposes it once no run uses it).
   */
  install(loaded: Omit<LoadedGuidingClassifier, 'origin'>): NoisyClassifier | null {
    const dataset = loaded.manifest.dataset;
    const previous = this.trained.get(dataset)?.classifier ?? null;
    this.trained.set(dataset, { ...loaded, origin: 'browser' });
    return previous;
  }

  /** Back to the shipped classifier; returns the dropped one (the caller disposes it). */
  dropTrained(dataset: string): NoisyClassifier | null {
    const previous = this.trained.get(dataset)?.classifier ?? null;
    this.trained.delete(dataset);
    return previous;
  }

  /** What guides models of a data set now, without fetching: null before the first use. */
  async current(
    dataset: string,
  ): Promise<{ manifest: NoisyClassifierMeta; origin: GuidingClassifierOrigin } | null> {
    const got = this.trained.get(dataset) ?? (await this.shipped.get(dataset)?.catch(() => null));
    return got ? { manifest: got.manifest, origin: got.origin } : null;
  }
}
