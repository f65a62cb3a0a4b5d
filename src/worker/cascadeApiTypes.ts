// The Cascade view's RPC contract (types only, so the UI can import it without tfjs).
import type {
  CascadeInfo,
  CascadeSampleRequest,
  CascadeSampleResult,
  CascadeTrainProgress,
  CascadeTrainRequest,
} from '../engine/playground/cascadeController';

export type {
  CascadeInfo,
  CascadeSampleRequest,
  CascadeSampleResult,
  CascadeTrainProgress,
  CascadeTrainRequest,
};

export interface CascadeApi {
  /** Loads models/mnist-cascade (base, sr, sr-noaug); the cascade in use stays on failure. */
  cascadeLoadPretrained(): Promise<CascadeInfo>;
  /** The cascade in use, or null before one is loaded or trained. */
  cascadeInfo(): Promise<CascadeInfo | null>;
  /** Samples n images through the whole cascade, every step of both stages recorded. */
  cascadeSample(req: CascadeSampleRequest): Promise<CascadeSampleResult>;
  /** Trains a tiny cascade on MNIST (three stages in turn), reporting every step. */
  cascadeTrain(
    req: CascadeTrainRequest,
    onProgress: (p: CascadeTrainProgress) => void,
  ): Promise<CascadeInfo>;
  cascadeStopTraining(): Promise<void>;
}
