// The RPC surface of classifier guidance's noise-aware classifier (its worker side is
// noisyClassifierApi.ts): which one guides a data set, and training one in the page.
import type {
  NoisyClassifierTrainingEvent,
  NoisyClassifierTrainingRequest,
} from '../engine/noisyClassifier/browserTraining';
import type { BucketAccuracy } from '../engine/noisyClassifier/types';

/** The noise-aware classifier that guides models of a data set now. */
export interface NoisyClassifierInfo {
  /** 'shipped': models/<dataset>-noisy-classifier; 'browser': trained in this page. */
  origin: 'shipped' | 'browser';
  accuracyByT: BucketAccuracy[] | null;
  steps: number | null;
  trainImages: number | null;
  wallTimeSeconds: number | null;
}

export interface NoisyClassifierApi {
  /** The noise-aware classifier of a data set, once it was loaded or trained here; else null. */
  noisyClassifierInfo(dataset: string): Promise<NoisyClassifierInfo | null>;
  /**
   * Trains a noise-aware classifier here, on the training split of the model in use, for x_t of
   * its schedule (noisyClassifier/browserTraining.ts), and makes it the one classifier guidance
   * uses. `onProgress` (a Comlink.proxy) hears of each readback. Resolves null when cancelled;
   * rejects on a NaN loss or bad request. Either way the classifier in use stays as it was.
   */
  trainNoisyClassifier(
    req: Partial<NoisyClassifierTrainingRequest>,
    onProgress: (e: NoisyClassifierTrainingEvent) => void,
  ): Promise<NoisyClassifierInfo | null>;
  cancelNoisyClassifierTraining(): Promise<void>;
  /** Guidance goes back to the shipped classifier of the data set. */
  useShippedNoisyClassifier(dataset: string): Promise<void>;
}
