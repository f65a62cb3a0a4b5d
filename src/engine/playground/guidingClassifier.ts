// The noise-aware classifier that classifier guidance uses in the app: fetched once per data set
// from the pretrained models' folder (models/<dataset>-noisy-classifier/), validated, checked
// against the model in use, kept for later runs.
import type { NoisyClassifier } from '../../model/noisyClassifier';
import { createNoisyClassifier, decodeNoisyClassifier } from '../noisyClassifier/checkpoint';
import { classifierMismatch, type GuidedModelInfo } from '../noisyClassifier/compat';
import type { NoisyClassifierManifest } from '../noisyClassifier/types';

export const noisyClassifierFolder = (dataset: string): string => `${dataset}-noisy-classifier/`;

export interface LoadedGuidingClassifier {
  classifier: NoisyClassifier;
  manifest: NoisyClassifierManifest;
}

export class GuidingClassifiers {
  private readonly loaded = new Map<string, Promise<LoadedGuidingClassifier>>();

  constructor(
    private readonly fetchRaw: (
      folder: string,
    ) => Promise<{ modelJson: unknown; weights: ArrayBuffer }>,
  ) {}

  /** The classifier for the model's data set; rejects with a clear message when it cannot guide it. */
  async forModel(model: GuidedModelInfo): Promise<LoadedGuidingClassifier> {
    let p = this.loaded.get(model.dataset);
    if (!p) {
      p = this.fetchRaw(noisyClassifierFolder(model.dataset)).then((raw) => {
        const decoded = decodeNoisyClassifier(raw.modelJson, raw.weights);
        return { classifier: createNoisyClassifier(decoded), manifest: decoded.manifest };
      });
      this.loaded.set(model.dataset, p);
      p.catch(() => this.loaded.delete(model.dataset));
    }
    const got = await p;
    const why = classifierMismatch(got.manifest, model);
    if (why !== null)
      throw new Error(`classifier guidance is not available for this model: ${why}`);
    return got;
  }

  /** Whether the classifier of a data set has been loaded (for the UI's accuracy-per-t table). */
  manifestOf(dataset: string): Promise<NoisyClassifierManifest> | null {
    return this.loaded.get(dataset)?.then((l) => l.manifest) ?? null;
  }
}
